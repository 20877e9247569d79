// The local stand-in for a Service's load balancer: a TCP proxy on 127.0.0.1 that spreads
// client connections over the replicas in service and drains the ones leaving, so a rolling
// update loses no request.
//
// Driven by its owner's poll() loop rather than a thread of its own: the controller already
// waits on signals and QEMU pidfds, and one thread owning every socket needs no locks. Include
// fd() in the poll set and call Poll() when it is readable; fd() also becomes readable when a
// drain or connect deadline passes, so nothing else needs timing. Not thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "common/status.h"
#include "common/unique_fd.h"

namespace i2kit {

struct BalancerOptions {
  // Bytes buffered per direction per connection; a side is not read while the other side's
  // buffer is full, so a slow reader slows its writer instead of growing memory.
  size_t buffer_size = 64 * 1024;
  // A backend whose accept queue is full drops SYNs and connect() hangs for seconds: give up
  // on it after this long and try another.
  std::chrono::milliseconds connect_timeout{1000};
  // Backends tried for one client before it is closed (at most once each).
  int max_connect_attempts = 3;
};

// Counters for logs and tests; they only grow.
struct BalancerStats {
  uint64_t accepted = 0;          // client connections accepted
  uint64_t rejected = 0;          // closed at once: no backend in service
  uint64_t connect_failures = 0;  // backend connects refused, reset or timed out
  uint64_t gave_up = 0;           // clients closed after every attempt failed
  uint64_t cut_at_deadline = 0;   // connections reset when their backend's drain ended
};

class TcpBalancer {
 public:
  using Clock = std::chrono::steady_clock;

  // Listens on 127.0.0.1:`port` (0: a port the kernel picks, see port()). Fails naming the
  // port and errno, e.g. when it is in use.
  static Result<TcpBalancer> Listen(int port, BalancerOptions options = {});
  // Serves on a socket the caller has bound and put in listening state.
  static Result<TcpBalancer> FromListener(UniqueFd listener, BalancerOptions options = {});

  TcpBalancer(TcpBalancer&&) noexcept;
  TcpBalancer& operator=(TcpBalancer&&) noexcept;
  ~TcpBalancer();  // resets every open connection

  // The port it listens on.
  int port() const;
  // Readable when Poll() has work to do.
  int fd() const;
  // Waits up to `timeout` (zero: just looks) for work and does it: accepts, connects, moves
  // bytes, enforces deadlines. Fails only if waiting itself fails.
  Status Poll(std::chrono::milliseconds timeout);

  // A backend at `host` (an IPv4 address, not a name: resolving would block) and `port`, out
  // of service until SetInService. Fails if `id` exists or the address is invalid.
  Status AddBackend(const std::string& id, const std::string& host, int port);
  // Whether new connections may go to it; open ones are left alone either way. A draining
  // backend cannot be put back in service.
  Status SetInService(const std::string& id, bool in_service);
  // Stops sending it new connections for good; open ones continue until they close or
  // `deadline` passes, when they are reset. Draining again can only bring the deadline closer.
  Status Drain(const std::string& id, Clock::time_point deadline);
  // Forgets it: its open connections are reset, those still connecting try another backend.
  Status RemoveBackend(const std::string& id);
  // Client connections it serves now (connecting or open); 0 for an unknown id. A draining
  // backend at 0 can be stopped.
  int ActiveConnections(const std::string& id) const;

  const BalancerStats& stats() const;

 private:
  struct State;
  explicit TcpBalancer(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

}  // namespace i2kit
