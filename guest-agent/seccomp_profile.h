// Seccomp filters as the OCI runtime spec's linux.seccomp object, which runc compiles with
// libseccomp. i2kit's RuntimeDefault is a default-deny allow-list (EPERM for anything not on
// it), shaped after the facts of Docker's and containerd's default profiles but written here.
#pragma once

#include <nlohmann/json.hpp>

#include "common/status.h"

namespace i2kit {

// The RuntimeDefault profile: defaultAction SCMP_ACT_ERRNO with EPERM, for x86-64 (and its
// 32-bit x86 and x32 ABIs). Allows what ordinary server processes call; refuses what creates
// namespaces, mounts, loads kernel code or reaches into other processes or the kernel's
// keyrings. clone is allowed only without CLONE_NEW* flags, and clone3 (whose flags live in
// memory seccomp cannot read) fails with ENOSYS so that glibc falls back to clone.
// Every name is checked with libseccomp: an error here is a bug in the list.
Result<nlohmann::ordered_json> RuntimeDefaultSeccompProfile();

// Checks a linux.seccomp object the way runc will read it, so that a bad profile fails before
// the container starts, with the reason: the known actions and operators, known architectures,
// and every syscall name known to libseccomp on x86-64 (runc skips unknown names silently,
// which would leave a deny rule out). Refuses fields runc would ignore, such as Docker's
// "includes"/"excludes", since ignoring them widens the profile; "comment" is allowed.
Status ValidateSeccompProfile(const nlohmann::json& seccomp);

}  // namespace i2kit
