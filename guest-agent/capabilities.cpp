#include "guest-agent/capabilities.h"

#include <cap-ng.h>

#include <algorithm>
#include <cctype>

#include "common/capability_names.h"

namespace i2kit {
namespace {

// Capability numbers fit in the 64 bits the kernel's interfaces (capget, /proc) use.
constexpr int kMaxCapabilities = 64;

uint64_t Bit(int number) {
  return uint64_t{1} << number;
}

// Every capability libcap-ng can name; it asks the running kernel how many there are.
uint64_t AllKnownCapabilities() {
  uint64_t mask = 0;
  for (int number = 0; number < kMaxCapabilities; ++number) {
    if (capng_capability_to_name(static_cast<unsigned>(number)) != nullptr) mask |= Bit(number);
  }
  return mask;
}

// The mask of `names` (canonical or CAP_ form, "ALL" excluded); fails on an unknown name.
Result<uint64_t> MaskOf(const std::vector<std::string>& names, const char* field) {
  uint64_t mask = 0;
  for (size_t i = 0; i < names.size(); ++i) {
    Result<std::string> canonical = NormalizeCapabilityName(names[i]);
    if (!canonical.ok()) {
      return canonical.status().WithContext(std::string(field) + "[" + std::to_string(i) + "]");
    }
    if (*canonical == "ALL") continue;
    mask |= Bit(CapabilityNumber(*canonical));
  }
  return mask;
}

bool Contains(const std::vector<std::string>& names, std::string_view wanted) {
  return std::any_of(names.begin(), names.end(), [&](const std::string& name) {
    Result<std::string> canonical = NormalizeCapabilityName(name);
    return canonical.ok() && *canonical == wanted;
  });
}

// "CAP_CHOWN", … in order of capability number.
std::vector<std::string> OciNames(uint64_t mask) {
  std::vector<std::string> names;
  for (int number = 0; number < kMaxCapabilities; ++number) {
    if ((mask & Bit(number)) == 0) continue;
    std::string name = capng_capability_to_name(static_cast<unsigned>(number));
    std::transform(name.begin(), name.end(), name.begin(),
                   [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
    names.push_back("CAP_" + name);
  }
  return names;
}

}  // namespace

const std::vector<std::string>& DefaultCapabilityNames() {
  static const std::vector<std::string> kNames = {
      "CHOWN", "DAC_OVERRIDE", "FOWNER", "FSETID", "KILL", "SETGID", "SETUID", "NET_BIND_SERVICE",
  };
  return kNames;
}

Result<CapabilitySets> ContainerCapabilities(const SecurityContext& security, uint32_t uid) {
  Result<uint64_t> added = MaskOf(security.capabilities_add, "capabilities.add");
  if (!added.ok()) return added.status();
  Result<uint64_t> dropped = MaskOf(security.capabilities_drop, "capabilities.drop");
  if (!dropped.ok()) return dropped.status();

  const bool add_all = Contains(security.capabilities_add, "ALL");
  uint64_t mask = CapabilityMask(DefaultCapabilityNames());
  if (add_all) mask = AllKnownCapabilities();
  if (Contains(security.capabilities_drop, "ALL")) mask = 0;
  mask = (mask | *added) & ~*dropped;

  CapabilitySets sets;
  sets.bounding = OciNames(mask);
  if (uid == 0) {
    sets.effective = sets.permitted = sets.bounding;
    return sets;
  }
  // The defaults are root's: with them a non-root process could setuid(0) (SETUID) and read
  // any file (DAC_OVERRIDE). It holds only what the manifest grants by name.
  uint64_t granted = mask & (add_all ? AllKnownCapabilities() : *added);
  sets.effective = sets.permitted = sets.inheritable = sets.ambient = OciNames(granted);
  return sets;
}

nlohmann::ordered_json ToJson(const CapabilitySets& sets) {
  return {
      {"bounding", sets.bounding},       {"effective", sets.effective},
      {"inheritable", sets.inheritable}, {"permitted", sets.permitted},
      {"ambient", sets.ambient},
  };
}

uint64_t CapabilityMask(const std::vector<std::string>& names) {
  uint64_t mask = 0;
  for (const std::string& name : names) {
    Result<std::string> canonical = NormalizeCapabilityName(name);
    if (canonical.ok() && *canonical != "ALL") mask |= Bit(CapabilityNumber(*canonical));
  }
  return mask;
}

}  // namespace i2kit
