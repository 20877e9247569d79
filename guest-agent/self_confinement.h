// The agent's own confinement, applied once the VM is set up and before runc first runs: it
// lowers what the agent and everything it starts (runc, containers, probes) can ever gain —
// a capability bounding set of what runc needs plus what the Pod's containers are granted,
// and a seccomp filter that refuses what no process of a Pod VM needs (loading kernel code,
// swap, raw I/O ports, …). Each container's own set and RuntimeDefault profile come on top.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/pod_model.h"
#include "common/status.h"

namespace i2kit {

struct SelfConfinementPlan {
  // The bounding set as the kernel prints it (/proc/PID/status CapBnd): bit N = capability N.
  uint64_t bounding_set = 0;
  // Syscalls that fail with EPERM for every process in the VM, by libseccomp name.
  std::vector<std::string> denied_syscalls;
  bool operator==(const SelfConfinementPlan&) const = default;
};

// The capabilities runc itself needs to set a container up (canonical names, no CAP_).
const std::vector<std::string>& RuncCapabilityNames();

// The plan for `pod`: RuncCapabilityNames() plus every capability any container of it may be
// granted (capabilities.h decides which), and the fixed deny list. Pure; fails on a
// capability name libcap-ng does not know.
Result<SelfConfinementPlan> PlanSelfConfinement(const Deployment& pod);

// Applies `plan` to the calling process, irreversibly: drops every other capability from its
// bounding and inheritable sets (so from its ambient set too), then loads the seccomp filter
// for x86-64 and its 32-bit ABIs. Sets no no_new_privs: containers that allow privilege
// escalation would inherit it. The caller's permitted and effective sets stay as they are,
// so PID 1 can still unmount and power off. Needs CAP_SETPCAP and CAP_SYS_ADMIN; fails with
// the libcap-ng or libseccomp call that failed, or when the bounding set is not what it asked.
Status ApplySelfConfinement(const SelfConfinementPlan& plan);

// One line for the console: "confined: CapBnd 00000000a80425fb, 13 syscalls denied".
std::string Summary(const SelfConfinementPlan& plan);

}  // namespace i2kit
