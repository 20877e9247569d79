// Sends connections for a service's virtual address to the host's load balancer (one of them,
// at random, when a Service spans several deployments) without a proxy: an eBPF program on the root
// cgroup (cgroup/connect4, the hook Cilium's socket load balancer uses) rewrites every connect() to
// (virtual address, port) found in its table into (host address, host port) before the kernel
// routes it. Nothing listens on the virtual addresses, so they can never take a port a container
// wants (a listener on 127.77.x.y:8080 would make the container's own bind to 0.0.0.0:8080 fail).
// Needs CONFIG_CGROUP_BPF and CONFIG_BPF_SYSCALL, which runc's device controller needs anyway.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "common/service_directory.h"
#include "common/status.h"
#include "common/unique_fd.h"

namespace i2kit {

struct Ipv4Endpoint {
  uint32_t address = 0;  // host byte order
  uint16_t port = 0;
  auto operator<=>(const Ipv4Endpoint&) const = default;
};

class ConnectRedirect {
 public:
  static constexpr uint32_t kMaxBackends = kMaxDirectoryBackends;  // what a directory port may list
  // (virtual address, port) -> the backends a connect to it goes to, 1..kMaxBackends.
  using Routes = std::map<Ipv4Endpoint, std::vector<Ipv4Endpoint>>;

  // Loads the program and attaches it to `cgroup` (a cgroup2 directory) through a BPF link,
  // which detaches when this object goes. Fails naming the bpf() command and errno (and the
  // verifier's log when it refuses the program).
  static Result<ConnectRedirect> Attach(const std::string& cgroup);

  // Makes the table exactly `routes`: entries not in it are removed.
  Status Set(const Routes& routes);

 private:
  ConnectRedirect(UniqueFd map, UniqueFd program, UniqueFd link)
      : map_(std::move(map)), program_(std::move(program)), link_(std::move(link)) {}
  UniqueFd map_;
  UniqueFd program_;
  UniqueFd link_;
  Routes current_;
};

}  // namespace i2kit
