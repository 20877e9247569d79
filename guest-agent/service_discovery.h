// Service discovery inside a Pod VM: the containers' resolver (pod_vm.h kPodDnsAddress:53)
// answers the names of the local service directory (common/service_directory.h) with a stable
// loopback address per name, relays every other query to the VM's resolver, and has every
// connect() to a name's ports sent to the deployment's load balancer on the host
// (connect_redirect.h). The directory comes from the metadata service and is fetched again
// every few seconds, so deployments started later are found. Runs on a thread of its own,
// never in the supervisor's way; with no metadata service it only relays DNS.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "common/pod_vm.h"
#include "common/status.h"

namespace i2kit {

// At most this many queries are relayed at once, each on a socket of its own: a container's
// flood must not take every descriptor PID 1 has (then it can start nothing). A query beyond
// the cap replaces the oldest one waiting, whose client asks again after its own timeout.
inline constexpr size_t kMaxDnsForwards = 128;

struct DiscoveryOptions {
  std::string dns_address = "127.0.0.53";
  int dns_port = 53;
  std::string upstream_dns;  // the VM's own resolver
  int upstream_port = 53;
  std::string metadata_address;  // empty: no directory
  int metadata_port = 80;
  std::string host_address = pod_vm::kLocalHostAddress;  // the host's 127.0.0.1
  std::string redirect_cgroup;  // where connects are rewritten (the VM's root cgroup); empty: none
  std::chrono::milliseconds refresh{3000};
  std::function<void(const std::string&)> console;
};

// The loopback address (host byte order) a name resolves to: 127.77.X.Y from a hash of the
// name, so it stays the same while deployments come and go.
uint32_t VirtualAddressFor(std::string_view name);

class ServiceDiscovery {
 public:
  // Binds the DNS socket and attaches the connect redirect now (port 53 and bpf() need the
  // agent's privileges, before it confines itself); serving starts with Start().
  static Result<std::unique_ptr<ServiceDiscovery>> Bind(DiscoveryOptions options);
  ~ServiceDiscovery();  // stops the thread and closes every socket
  void Start();
  // The port the resolver listens on (dns_port, or the kernel's pick for 0).
  int dns_port() const;

  struct State;

 private:
  explicit ServiceDiscovery(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

}  // namespace i2kit
