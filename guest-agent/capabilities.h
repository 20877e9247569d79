// The Linux capabilities of a container's process: a small default set, changed by the
// manifest's securityContext.capabilities the way Kubernetes changes it. Names and numbers come
// from libcap-ng, never from a table of our own.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "common/pod_model.h"
#include "common/status.h"

namespace i2kit {

// The five sets of the OCI runtime spec's process.capabilities, each in OCI form
// ("CAP_NET_BIND_SERVICE") and sorted by capability number.
struct CapabilitySets {
  std::vector<std::string> bounding;
  std::vector<std::string> effective;
  std::vector<std::string> permitted;
  std::vector<std::string> inheritable;
  std::vector<std::string> ambient;
  bool operator==(const CapabilitySets&) const = default;
};

// What a container gets with no capabilities in its securityContext: CHOWN, DAC_OVERRIDE,
// FOWNER, FSETID, KILL, SETGID, SETUID and NET_BIND_SERVICE (canonical names, by number).
// Docker's 14 add AUDIT_WRITE, MKNOD, NET_RAW, SETFCAP, SETPCAP and SYS_CHROOT, which a server
// process rarely needs: NET_RAW alone allows ARP and DNS spoofing on the Pod's network.
const std::vector<std::string>& DefaultCapabilityNames();

// The sets for a process running as `uid`. `add` and `drop` apply as in Kubernetes
// (containerd): "ALL" in add grants every capability libcap-ng knows, "ALL" in drop empties
// the set, then the named ones are added, then the named ones dropped (drop wins).
// The result is the bounding set. Root gets it as permitted and effective (they survive
// execve by themselves) and nothing inheritable or ambient. A non-root process gets, as
// Kubernetes with containerd gives it, no capability but those `add` names (all for "ALL")
// that survive `drop`: those in its permitted, effective, inheritable and ambient sets
// (without ambient, execve() would clear them). Fails on a name libcap-ng does not know.
Result<CapabilitySets> ContainerCapabilities(const SecurityContext& security, uint32_t uid);

// The OCI process.capabilities object.
nlohmann::ordered_json ToJson(const CapabilitySets& sets);

// The mask the kernel prints in /proc/PID/status (CapEff: …) for names in OCI or canonical
// form; unknown names are ignored.
uint64_t CapabilityMask(const std::vector<std::string>& names);

}  // namespace i2kit
