// Seccomp profiles of type Localhost: JSON files (the OCI linux.seccomp object, as Kubernetes
// expects them) kept in one directory of the Pod VM and named by a manifest. The name comes
// from a manifest, which may come from instance metadata: it never reaches outside that
// directory, through ".." or through a symbolic link.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "common/status.h"

namespace i2kit {

// Where the agent looks for Localhost profiles unless told otherwise.
inline constexpr const char* kDefaultSeccompProfileRoot = "/etc/i2kit/seccomp";

// Reads `relative_path` below `profile_root` (at most 1 MiB), parses it and checks it with
// ValidateSeccompProfile. Refuses an empty or absolute path, any ".." component, and any
// symbolic link leading outside the root (openat2 with RESOLVE_BENEATH).
Result<nlohmann::ordered_json> LoadLocalhostSeccompProfile(const std::string& profile_root,
                                                           const std::string& relative_path);

}  // namespace i2kit
