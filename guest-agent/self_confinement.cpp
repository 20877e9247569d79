#include "guest-agent/self_confinement.h"

#include <cap-ng.h>
#include <seccomp.h>
#include <sys/prctl.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>

#include "common/sys_error.h"
#include "guest-agent/capabilities.h"

namespace i2kit {
namespace {

// Capability numbers fit in the 64 bits of the kernel's interfaces (capget, /proc).
constexpr unsigned kMaxCapabilities = 64;

std::string CapabilityName(unsigned number) {
  const char* name = capng_capability_to_name(number);
  return name != nullptr ? name : "capability " + std::to_string(number);
}

// runc 1.1 runs as root in the VM's own user and network namespaces and needs each of these
// until it has lowered the container to the container's own sets. Not MKNOD: without it runc
// bind-mounts the VM's /dev/null, /dev/zero, … instead of making them.
const std::vector<std::string> kRuncCapabilities = {
    "CHOWN",         // gives the container's stdio pipes to its user (fixStdioPermissions)
    "DAC_OVERRIDE",  // makes mount points inside image directories root does not own
    "KILL",          // signals containers running as another user (kill, delete --force)
    "SETGID",        // setgroups/setresgid to the container's user
    "SETUID",        // setresuid to the container's user
    "SETPCAP",       // lowers the container's bounding set; without it runc silently does not
    "NET_ADMIN",     // bpf(BPF_PROG_QUERY) of cgroup device programs: Linux 6.1 demands it
    "SYS_CHROOT",    // runc exec: setns() into a mount namespace demands it
    "SYS_PTRACE",    // runc exec opens /proc/PID/ns/* of a process of another user
    "SYS_ADMIN",     // namespaces, mounts, pivot_root, sethostname, the device BPF program
    "SYS_RESOURCE",  // raises RLIMIT_NOFILE's hard limit to the spec's
};

// What no process of a Pod VM has a reason to call, not even a container granted every
// capability: each changes the VM's kernel or hardware, or crosses the container boundary by
// design. Risky but legitimate calls (perf_event_open for profilers, userfaultfd, bpf,
// name_to_handle_at, ptrace) are left to each container's own profile, which RuntimeDefault
// denies. reboot stays: the agent powers the VM off with it.
const std::vector<std::string> kDeniedSyscalls = {
    "kexec_load",
    "kexec_file_load",  // would replace the VM's kernel
    "init_module",
    "finit_module",
    "delete_module",  // would change the kernel's code
    "swapon",
    "swapoff",  // a Pod VM has no swap
    "acct",     // BSD process accounting into a file
    "iopl",
    "ioperm",             // raw I/O ports of the VM's devices
    "open_by_handle_at",  // opens any file of a mount by handle ("shocker" container escape)
    "lookup_dcookie",     // oprofile's kernel path lookup, unused since perf replaced it
    "uselib",             // the a.out library loader; nothing built this century calls it
};

Status LowerBoundingSet(uint64_t keep) {
  capng_setpid(0);  // this thread, not whatever libcap-ng cached before a fork
  if (capng_get_caps_process() != 0) return SysError("capng_get_caps_process");
  const auto sets = static_cast<capng_type_t>(CAPNG_BOUNDING_SET | CAPNG_INHERITABLE);
  // PR_CAPBSET_READ fails past the last capability this kernel has.
  for (unsigned cap = 0; cap < kMaxCapabilities && ::prctl(PR_CAPBSET_READ, cap) >= 0; ++cap) {
    if ((keep >> cap) & 1) continue;
    if (capng_update(CAPNG_DROP, sets, cap) != 0) {
      return SysError("capng_update(drop " + CapabilityName(cap) + ")");
    }
  }
  // Bounds first (PR_CAPBSET_DROP, which needs CAP_SETPCAP), then capset with the lowered
  // inheritable set; the kernel trims the ambient set to it.
  if (capng_apply(CAPNG_SELECT_BOTH) != 0) {
    return SysError("capng_apply(bounding and inheritable sets)");
  }
  for (unsigned cap = 0; cap < kMaxCapabilities; ++cap) {
    int in_bounding = ::prctl(PR_CAPBSET_READ, cap);
    if (in_bounding < 0) break;
    if (in_bounding == 1 && ((keep >> cap) & 1) == 0) {
      return Status::Error(CapabilityName(cap) + " is still in the bounding set");
    }
  }
  return Status::Ok();
}

Status LoadDenyFilter(const std::vector<std::string>& denied) {
  std::unique_ptr<void, decltype(&seccomp_release)> filter(seccomp_init(SCMP_ACT_ALLOW),
                                                           &seccomp_release);
  if (filter == nullptr) return Status::Error("seccomp_init failed");
  // libseccomp sets no_new_privs by default; the agent has CAP_SYS_ADMIN and needs none.
  if (int rc = seccomp_attr_set(filter.get(), SCMP_FLTATR_CTL_NNP, 0); rc != 0) {
    return SysError("seccomp_attr_set(CTL_NNP)", {}, -rc);
  }
  if (int rc = seccomp_attr_set(filter.get(), SCMP_FLTATR_CTL_TSYNC, 1); rc != 0) {
    return SysError("seccomp_attr_set(CTL_TSYNC)", {}, -rc);
  }
  // Without these a 32-bit syscall would meet the bad-architecture action, which kills.
  if (seccomp_arch_native() == SCMP_ARCH_X86_64) {
    for (uint32_t arch : {SCMP_ARCH_X86, SCMP_ARCH_X32}) {
      if (int rc = seccomp_arch_add(filter.get(), arch); rc != 0 && rc != -EEXIST) {
        return SysError("seccomp_arch_add", {}, -rc);
      }
    }
  }
  for (const std::string& name : denied) {
    int number = seccomp_syscall_resolve_name(name.c_str());
    if (number == __NR_SCMP_ERROR) return Status::Error("libseccomp knows no syscall " + name);
    if (int rc = seccomp_rule_add(filter.get(), SCMP_ACT_ERRNO(EPERM), number, 0); rc != 0) {
      return SysError("seccomp_rule_add(" + name + ")", {}, -rc);
    }
  }
  if (int rc = seccomp_load(filter.get()); rc != 0) {
    return SysError("seccomp_load", {}, -rc);
  }
  return Status::Ok();
}

}  // namespace

const std::vector<std::string>& RuncCapabilityNames() {
  return kRuncCapabilities;
}

Result<SelfConfinementPlan> PlanSelfConfinement(const Deployment& pod) {
  SelfConfinementPlan plan;
  plan.bounding_set = CapabilityMask(kRuncCapabilities);
  for (const Container& c : pod.containers) {
    // The bounding set does not depend on the user; uid 0 stands for any.
    Result<CapabilitySets> sets = ContainerCapabilities(c.security_context, 0);
    if (!sets.ok()) return sets.status().WithContext("container " + c.name + ": securityContext");
    plan.bounding_set |= CapabilityMask(sets->bounding);
  }
  plan.denied_syscalls = kDeniedSyscalls;
  return plan;
}

Status ApplySelfConfinement(const SelfConfinementPlan& plan) {
  if (Status s = LowerBoundingSet(plan.bounding_set); !s.ok()) return s;
  return LoadDenyFilter(plan.denied_syscalls);
}

std::string Summary(const SelfConfinementPlan& plan) {
  char mask[17];
  std::snprintf(mask, sizeof mask, "%016llx", static_cast<unsigned long long>(plan.bounding_set));
  return std::string("confined: CapBnd ") + mask + ", " +
         std::to_string(plan.denied_syscalls.size()) + " syscalls denied";
}

}  // namespace i2kit
