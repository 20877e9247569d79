// What the Pod's containers may not reach although they share the VM's network with the agent:
// the instance-metadata service (on EC2 it hands out the instance role's credentials, and the
// IMDS hop limit cannot tell a container from the agent, both being local processes) and the
// agent's own port (/logs shows every container's output). eBPF programs on the containers'
// parent cgroup (cgroup/connect4, connect6, sendmsg4, sendmsg6) refuse a connect() or a UDP
// sendmsg() to a blocked destination with EPERM, for containers only: the agent and the EC2
// reporter live in the root cgroup and keep both. They run before the service redirect on the
// root cgroup (connect_redirect.h), so they see the address a container asked for.
// Needs CONFIG_CGROUP_BPF and CONFIG_BPF_SYSCALL.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/status.h"
#include "common/unique_fd.h"

namespace i2kit {

struct BlockedDestination {
  // An IPv4 or IPv6 address, or "" for every address. An IPv4 address is blocked in its
  // IPv4-mapped IPv6 form (::ffff:a.b.c.d) too.
  std::string address;
  uint16_t port = 0;  // 0: every port
};

// What a Pod's containers may not reach, given where the agent's metadata service answers
// (pod_vm.h: EC2's address, or the local one under `run`) and the agent's port: EC2's metadata
// service at both its addresses (169.254.169.254, fd00:ec2::254) and `metadata_address`, every
// port of each; under `run`, every port of the host's loopback too (kLocalHostAddress), which
// the service redirect still reaches on the containers' behalf; the agent's ports (health,
// exec) on every address.
std::vector<BlockedDestination> PodBlockedDestinations(const std::string& metadata_address,
                                                       const std::vector<int>& agent_ports);

class ContainerNetworkFilter {
 public:
  // Loads the programs and attaches them to `cgroup` (a cgroup2 directory) through BPF links,
  // which detach when this object goes. Fails on an address that is neither IPv4 nor IPv6, and
  // names the bpf() command and errno (and the verifier's log) when the kernel refuses.
  static Result<ContainerNetworkFilter> Attach(const std::string& cgroup,
                                               const std::vector<BlockedDestination>& blocked);

 private:
  explicit ContainerNetworkFilter(std::vector<UniqueFd> links) : links_(std::move(links)) {}
  std::vector<UniqueFd> links_;
};

}  // namespace i2kit
