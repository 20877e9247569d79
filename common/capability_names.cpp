#include "common/capability_names.h"

#include <cap-ng.h>

#include <algorithm>
#include <cctype>

namespace i2kit {

Result<std::string> NormalizeCapabilityName(std::string_view name) {
  std::string upper(name);
  std::transform(upper.begin(), upper.end(), upper.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  if (upper.rfind("CAP_", 0) == 0) upper.erase(0, 4);
  if (upper == "ALL") return upper;
  if (CapabilityNumber(upper) < 0) {
    return Status::Error("unknown capability '" + std::string(name) + "'");
  }
  return upper;
}

int CapabilityNumber(std::string_view canonical_name) {
  if (canonical_name.empty() || canonical_name == "ALL") return -1;
  // libcap-ng matches names case-insensitively and without the CAP_ prefix.
  return capng_name_to_capability(std::string(canonical_name).c_str());
}

}  // namespace i2kit
