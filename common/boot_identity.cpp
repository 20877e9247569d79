#include "common/boot_identity.h"

#include <nlohmann/json.hpp>
#include <optional>

#include "common/base64.h"

namespace i2kit {

std::string BootIdentityToJson(const BootIdentity& identity) {
  return nlohmann::ordered_json{{"replica", identity.replica},
                                {"unixNs", identity.unix_ns},
                                {"entropy", Base64Encode(identity.entropy)}}
      .dump();
}

Result<BootIdentity> BootIdentityFromJson(std::string_view text) {
  nlohmann::json json = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!json.is_object()) return Status::Error("boot identity: not a JSON object");
  BootIdentity identity;
  const auto replica = json.find("replica");
  if (replica == json.end() || !replica->is_number_integer() || replica->get<int64_t>() < 0 ||
      replica->get<int64_t>() > 1000000) {
    return Status::Error("boot identity: replica must be a number from 0");
  }
  identity.replica = replica->get<int>();
  const auto unix_ns = json.find("unixNs");
  if (unix_ns == json.end() || !unix_ns->is_number_integer() || unix_ns->get<int64_t>() <= 0) {
    return Status::Error("boot identity: unixNs must be a positive number");
  }
  identity.unix_ns = unix_ns->get<int64_t>();
  const auto entropy = json.find("entropy");
  std::optional<std::string> bytes;
  if (entropy != json.end() && entropy->is_string()) {
    bytes = Base64Decode(entropy->get<std::string>());
  }
  if (!bytes || bytes->size() != kBootEntropyBytes) {
    return Status::Error("boot identity: entropy must be " + std::to_string(kBootEntropyBytes) +
                         " bytes of base64");
  }
  identity.entropy = std::move(*bytes);
  return identity;
}

}  // namespace i2kit
