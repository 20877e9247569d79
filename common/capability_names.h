// Linux capability names as manifests spell them ("NET_BIND_SERVICE", "CAP_NET_BIND_SERVICE",
// "net_bind_service"), checked against libcap-ng's table of the capabilities it knows.
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"

namespace i2kit {

// Returns the canonical form: upper case, no CAP_ prefix ("NET_BIND_SERVICE"), or "ALL".
Result<std::string> NormalizeCapabilityName(std::string_view name);

// The capability number of a canonical name, for libcap-ng calls; -1 for "ALL" or unknown.
int CapabilityNumber(std::string_view canonical_name);

}  // namespace i2kit
