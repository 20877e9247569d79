#include "local-cluster/tcp_balancer.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <set>
#include <unordered_map>
#include <utility>
#include <vector>

#include "common/sys_error.h"
#include "local-cluster/socket_pipe.h"
#include "local-vm/local_ports.h"

namespace i2kit {
namespace {

using Clock = TcpBalancer::Clock;

// epoll tokens: the three fixed descriptors, then (connection id << 1 | side).
constexpr uint64_t kListenerToken = 0;
constexpr uint64_t kTimerToken = 1;
constexpr uint64_t kWakeToken = 2;
constexpr uint64_t kFirstConnectionId = 2;  // its tokens start above the fixed ones
constexpr uint64_t kBackendSide = 1;

// Accepts per Poll before other connections get their turn (the listener is level-triggered,
// so the rest wait in its queue, not lost).
constexpr int kAcceptBatch = 64;
// Buffer-fulls moved per connection before others get their turn (see Pump).
constexpr int kPumpRounds = 8;

// Connection sockets are edge-triggered: Pump moves bytes until a socket would block (its next
// edge then wakes it) or queues the connection to carry on, so interest never needs changing
// as buffers fill and empty.
constexpr uint32_t kSocketEvents = EPOLLIN | EPOLLOUT | EPOLLET;

using Flow = SocketPipe::Flow;

// Closing with a zero linger sends RST: a client whose response was cut short must see an
// error, not a FIN that looks like a complete response.
void CloseWithReset(UniqueFd& fd) {
  if (!fd.valid()) return;
  linger reset{1, 0};
  ::setsockopt(fd.get(), SOL_SOCKET, SO_LINGER, &reset, sizeof reset);
  fd.reset();
}

struct Backend {
  std::string id;
  sockaddr_in address{};
  bool in_service = false;
  bool draining = false;
  Clock::time_point drain_deadline = Clock::time_point::max();
  int active = 0;
};

struct Connection {
  UniqueFd client;
  UniqueFd backend;
  std::string backend_id;
  std::vector<std::string> tried;  // backends attempted, in order
  bool connecting = false;
  Clock::time_point connect_deadline;
  bool queued = false;    // in State::pending
  SocketPipe upstream;    // client → backend
  SocketPipe downstream;  // backend → client
};

}  // namespace

struct TcpBalancer::State {
  BalancerOptions options;
  UniqueFd listener;
  UniqueFd epoll;
  UniqueFd timer;  // armed for the earliest connect or drain deadline
  UniqueFd wake;   // an eventfd: readable while connections wait in `pending`
  UniqueFd spare;  // given up to accept and refuse a client when out of descriptors
  int port = 0;
  std::vector<Backend> backends;
  size_t cursor = 0;  // where the round-robin tie-break starts
  std::unordered_map<uint64_t, Connection> connections;
  uint64_t next_id = kFirstConnectionId;
  std::set<std::pair<Clock::time_point, uint64_t>> connect_deadlines;
  std::vector<uint64_t> pending;    // connections with bytes left to move
  std::unique_ptr<char[]> scratch;  // options.buffer_size bytes: where empty pipes read into
  Clock::time_point armed = Clock::time_point::max();
  BalancerStats stats;

  Backend* FindBackend(const std::string& id) {
    auto it = std::find_if(backends.begin(), backends.end(),
                           [&](const Backend& b) { return b.id == id; });
    return it == backends.end() ? nullptr : &*it;
  }

  // Least connections, ties broken round-robin. Least connections keeps long-lived
  // connections (keep-alive, websockets) from piling up on one replica and steers new ones
  // away from a slow replica; the round-robin start point spreads short connections, which
  // all see zero counts, instead of sending each to the first backend.
  Backend* Choose(const Connection& connection) {
    Backend* best = nullptr;
    size_t best_index = 0;
    for (size_t i = 0; i < backends.size(); ++i) {
      size_t index = (cursor + i) % backends.size();
      Backend& b = backends[index];
      if (!b.in_service || b.draining) continue;
      if (std::find(connection.tried.begin(), connection.tried.end(), b.id) !=
          connection.tried.end()) {
        continue;
      }
      if (best == nullptr || b.active < best->active) {
        best = &b;
        best_index = index;
      }
    }
    if (best != nullptr) cursor = best_index + 1;
    return best;
  }

  bool Register(int fd, uint64_t token, uint32_t events) {
    epoll_event event{};
    event.events = events;
    event.data.u64 = token;
    return ::epoll_ctl(epoll.get(), EPOLL_CTL_ADD, fd, &event) == 0;
  }

  void ReleaseBackend(uint64_t id, Connection& connection) {
    if (Backend* b = FindBackend(connection.backend_id)) --b->active;
    connection.backend_id.clear();
    if (connection.connecting) connect_deadlines.erase({connection.connect_deadline, id});
    connection.connecting = false;
    connection.backend.reset();
  }

  // Ends a connection; `reset` sends both sides RST instead of FIN.
  void Close(uint64_t id, Connection& connection, bool reset) {
    if (reset) {
      CloseWithReset(connection.backend);
      CloseWithReset(connection.client);
    }
    ReleaseBackend(id, connection);
    connections.erase(id);  // closing its descriptors also takes them out of the epoll set
  }

  // Connects `connection` to the next backend that accepts the attempt; false once none is
  // left. Only refused or unreachable backends are skipped here: QEMU's user network accepts
  // for a guest that is not listening, so a dead guest behind a live QEMU shows as a closed
  // connection instead, which only the health checks can catch.
  bool StartConnect(uint64_t id, Connection& connection) {
    while (static_cast<int>(connection.tried.size()) < options.max_connect_attempts) {
      Backend* b = Choose(connection);
      if (b == nullptr) return false;
      connection.tried.push_back(b->id);
      UniqueFd fd(::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
      if (!fd.valid()) return false;  // out of descriptors: another backend will not help
      int rc =
          ::connect(fd.get(), reinterpret_cast<const sockaddr*>(&b->address), sizeof b->address);
      if (rc != 0 && errno != EINPROGRESS) {
        ++stats.connect_failures;
        continue;
      }
      if (!Register(fd.get(), id << 1 | kBackendSide, kSocketEvents)) {
        return false;
      }
      ++b->active;
      connection.backend_id = b->id;
      connection.backend = std::move(fd);
      connection.connecting = rc != 0;
      if (connection.connecting) {
        connection.connect_deadline = Clock::now() + options.connect_timeout;
        connect_deadlines.insert({connection.connect_deadline, id});
      }
      return true;
    }
    return false;
  }

  // The backend refused, reset or timed out: the client has seen nothing yet, so try another.
  void ConnectFailed(uint64_t id, Connection& connection) {
    ++stats.connect_failures;
    Retry(id, connection);
  }

  void Retry(uint64_t id, Connection& connection) {
    ReleaseBackend(id, connection);
    if (!StartConnect(id, connection)) {
      ++stats.gave_up;
      Close(id, connection, /*reset=*/true);
    }
  }

  void Queue(uint64_t id, Connection& connection) {
    if (connection.queued) return;
    connection.queued = true;
    if (pending.empty()) {
      uint64_t one = 1;
      (void)!::write(wake.get(), &one, sizeof one);
    }
    pending.push_back(id);
  }

  // Moves bytes both ways until neither can move (each socket then waits for its next edge)
  // or kPumpRounds have passed (then it is queued, so one fast transfer cannot starve the
  // others). Closes the connection when both directions are done, resets it on an error.
  void Pump(uint64_t id, Connection& connection) {
    int backend = connection.connecting ? -1 : connection.backend.get();
    for (int round = 0; round < kPumpRounds; ++round) {
      Flow up = connection.upstream.Move(connection.client.get(), backend, options.buffer_size,
                                         scratch.get());
      Flow down = connection.downstream.Move(backend, connection.client.get(), options.buffer_size,
                                             scratch.get());
      if (up == Flow::kBroken || down == Flow::kBroken) {
        return Close(id, connection, /*reset=*/true);
      }
      if (connection.upstream.done() && connection.downstream.done()) {
        return Close(id, connection, /*reset=*/false);
      }
      if (up == Flow::kIdle && down == Flow::kIdle) return;
    }
    Queue(id, connection);
  }

  void Accept() {
    for (int i = 0; i < kAcceptBatch; ++i) {
      UniqueFd client(::accept4(listener.get(), nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC));
      if (!client.valid()) {
        if (errno == EINTR || errno == ECONNABORTED) continue;
        if (errno == EMFILE || errno == ENFILE) RefuseOne();
        return;  // EAGAIN, or an error the next readiness will report again
      }
      ++stats.accepted;
      uint64_t id = next_id++;
      Connection& connection = connections[id];
      connection.client = std::move(client);
      if (!StartConnect(id, connection)) {
        ++(connection.tried.empty() ? stats.rejected : stats.gave_up);
        Close(id, connection, /*reset=*/true);
        continue;
      }
      if (!Register(connection.client.get(), id << 1, kSocketEvents)) {
        Close(id, connection, /*reset=*/true);
      }
    }
  }

  // Out of descriptors, the pending client would keep the level-triggered listener readable
  // and Poll spinning: free the spare descriptor to accept it, close it, take the spare back.
  void RefuseOne() {
    spare.reset();
    UniqueFd refused(::accept4(listener.get(), nullptr, nullptr, SOCK_CLOEXEC));
    spare.reset(::open("/dev/null", O_RDONLY | O_CLOEXEC));
    ++stats.rejected;
  }

  void HandleConnectionEvent(uint64_t token, uint32_t events) {
    uint64_t id = token >> 1;
    auto it = connections.find(id);
    if (it == connections.end()) return;  // closed earlier in this batch
    Connection& connection = it->second;
    bool backend_side = (token & kBackendSide) != 0;
    if (backend_side && connection.connecting) {
      if ((events & (EPOLLOUT | EPOLLERR | EPOLLHUP)) == 0) return;
      int error = 0;
      socklen_t size = sizeof error;
      if (::getsockopt(connection.backend.get(), SOL_SOCKET, SO_ERROR, &error, &size) != 0 ||
          error != 0) {
        return ConnectFailed(id, connection);
      }
      connect_deadlines.erase({connection.connect_deadline, id});
      connection.connecting = false;
    } else if ((events & EPOLLERR) != 0) {
      // Read or write would report it too, but only if one is attempted; a reset side whose
      // buffers are stuck full or empty would otherwise linger.
      return Close(id, connection, /*reset=*/true);
    }
    Pump(id, connection);
  }

  void EnforceDeadlines() {
    Clock::time_point now = Clock::now();
    while (!connect_deadlines.empty() && connect_deadlines.begin()->first <= now) {
      uint64_t id = connect_deadlines.begin()->second;
      ConnectFailed(id, connections.at(id));
    }
    for (Backend& b : backends) {
      if (!b.draining || b.active == 0 || b.drain_deadline > now) continue;
      std::vector<uint64_t> cut;
      for (auto& [id, connection] : connections) {
        if (connection.backend_id == b.id) cut.push_back(id);
      }
      for (uint64_t id : cut) {
        Close(id, connections.at(id), /*reset=*/true);
        ++stats.cut_at_deadline;
      }
    }
  }

  void RunPending() {
    if (pending.empty()) return;  // then the eventfd was not written either
    uint64_t count;
    (void)!::read(wake.get(), &count, sizeof count);
    std::vector<uint64_t> ready;
    ready.swap(pending);
    for (uint64_t id : ready) {
      auto it = connections.find(id);
      if (it == connections.end()) continue;
      it->second.queued = false;
      Pump(id, it->second);
    }
  }

  Status ArmTimer() {
    Clock::time_point next = Clock::time_point::max();
    if (!connect_deadlines.empty()) next = connect_deadlines.begin()->first;
    for (const Backend& b : backends) {
      if (b.draining && b.active > 0) next = std::min(next, b.drain_deadline);
    }
    if (next == armed) return Status::Ok();
    itimerspec spec{};  // all zero: disarmed
    if (next != Clock::time_point::max()) {
      // steady_clock is CLOCK_MONOTONIC; a zero it_value would disarm, so never pass one.
      auto ns = std::max<int64_t>(
          1, std::chrono::duration_cast<std::chrono::nanoseconds>(next.time_since_epoch()).count());
      spec.it_value.tv_sec = ns / 1'000'000'000;
      spec.it_value.tv_nsec = ns % 1'000'000'000;
    }
    if (::timerfd_settime(timer.get(), TFD_TIMER_ABSTIME, &spec, nullptr) != 0) {
      return SysError("timerfd_settime", "balancer deadline");
    }
    armed = next;
    return Status::Ok();
  }

  ~State() {
    for (auto& [id, connection] : connections) {
      CloseWithReset(connection.backend);
      CloseWithReset(connection.client);
    }
  }
};

Result<TcpBalancer> TcpBalancer::Listen(int port, BalancerOptions options) {
  Result<UniqueFd> fd = BindLoopback(port, Protocol::kTcp, SOMAXCONN);
  if (!fd.ok()) return fd.status();
  return FromListener(std::move(fd).value(), options);
}

Result<TcpBalancer> TcpBalancer::FromListener(UniqueFd listener, BalancerOptions options) {
  std::string what = "listener fd " + std::to_string(listener.get());
  if (options.buffer_size == 0 || options.max_connect_attempts < 1 ||
      options.connect_timeout.count() <= 0) {
    return Status::Error(
        "balancer options: buffer size, connect attempts and connect timeout "
        "must be positive");
  }
  int listening = 0;
  socklen_t size = sizeof listening;
  if (::getsockopt(listener.get(), SOL_SOCKET, SO_ACCEPTCONN, &listening, &size) != 0) {
    return SysError("getsockopt(SO_ACCEPTCONN)", what);
  }
  if (listening == 0) return Status::Error(what + " is not a listening socket");
  int flags = ::fcntl(listener.get(), F_GETFL);
  if (flags < 0 || ::fcntl(listener.get(), F_SETFL, flags | O_NONBLOCK) != 0) {
    return SysError("fcntl(O_NONBLOCK)", what);
  }
  sockaddr_in address{};
  size = sizeof address;
  if (::getsockname(listener.get(), reinterpret_cast<sockaddr*>(&address), &size) != 0) {
    return SysError("getsockname", what);
  }

  auto state = std::make_unique<State>();
  state->options = options;
  state->port = ntohs(address.sin_port);
  state->scratch = std::make_unique<char[]>(options.buffer_size);
  state->listener = std::move(listener);
  state->epoll.reset(::epoll_create1(EPOLL_CLOEXEC));
  if (!state->epoll.valid()) return SysError("epoll_create1", what);
  state->timer.reset(::timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC));
  if (!state->timer.valid()) return SysError("timerfd_create", what);
  state->wake.reset(::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC));
  if (!state->wake.valid()) return SysError("eventfd", what);
  state->spare.reset(::open("/dev/null", O_RDONLY | O_CLOEXEC));
  if (!state->spare.valid()) return SysError("open", "/dev/null");
  for (auto [fd, token] :
       {std::pair{state->listener.get(), kListenerToken},
        std::pair{state->timer.get(), kTimerToken}, std::pair{state->wake.get(), kWakeToken}}) {
    if (!state->Register(fd, token, EPOLLIN)) return SysError("epoll_ctl(EPOLL_CTL_ADD)", what);
  }
  return TcpBalancer(std::move(state));
}

TcpBalancer::TcpBalancer(std::unique_ptr<State> state) : state_(std::move(state)) {}
TcpBalancer::TcpBalancer(TcpBalancer&&) noexcept = default;
TcpBalancer& TcpBalancer::operator=(TcpBalancer&&) noexcept = default;
TcpBalancer::~TcpBalancer() = default;

int TcpBalancer::port() const {
  return state_->port;
}
int TcpBalancer::fd() const {
  return state_->epoll.get();
}
const BalancerStats& TcpBalancer::stats() const {
  return state_->stats;
}

Status TcpBalancer::Poll(std::chrono::milliseconds timeout) {
  std::array<epoll_event, 256> events;
  int ready = ::epoll_wait(state_->epoll.get(), events.data(), static_cast<int>(events.size()),
                           static_cast<int>(timeout.count()));
  if (ready < 0 && errno != EINTR) return SysError("epoll_wait", "balancer");
  for (int i = 0; i < ready; ++i) {
    uint64_t token = events[i].data.u64;
    if (token == kListenerToken) {
      state_->Accept();
    } else if (token == kTimerToken) {
      uint64_t expirations;
      (void)!::read(state_->timer.get(), &expirations, sizeof expirations);
    } else if (token != kWakeToken) {
      state_->HandleConnectionEvent(token, events[i].events);
    }
  }
  state_->EnforceDeadlines();
  state_->RunPending();
  return state_->ArmTimer();
}

Status TcpBalancer::AddBackend(const std::string& id, const std::string& host, int port) {
  if (state_->FindBackend(id) != nullptr) return Status::Error("backend " + id + " exists");
  Backend b;
  b.id = id;
  b.address.sin_family = AF_INET;
  if (port < 1 || port > 65535 || ::inet_pton(AF_INET, host.c_str(), &b.address.sin_addr) != 1) {
    return Status::Error("backend " + id + ": " + host + ":" + std::to_string(port) +
                         " is not an IPv4 address and port");
  }
  b.address.sin_port = htons(static_cast<uint16_t>(port));
  state_->backends.push_back(std::move(b));
  return Status::Ok();
}

Status TcpBalancer::SetInService(const std::string& id, bool in_service) {
  Backend* b = state_->FindBackend(id);
  if (b == nullptr) return Status::Error("no backend " + id);
  if (b->draining && in_service) return Status::Error("backend " + id + " is draining");
  b->in_service = in_service;
  return Status::Ok();
}

Status TcpBalancer::Drain(const std::string& id, Clock::time_point deadline) {
  Backend* b = state_->FindBackend(id);
  if (b == nullptr) return Status::Error("no backend " + id);
  b->in_service = false;
  b->draining = true;
  b->drain_deadline = std::min(b->drain_deadline, deadline);
  return state_->ArmTimer();
}

Status TcpBalancer::RemoveBackend(const std::string& id) {
  auto it = std::find_if(state_->backends.begin(), state_->backends.end(),
                         [&](const Backend& b) { return b.id == id; });
  if (it == state_->backends.end()) return Status::Error("no backend " + id);
  size_t index = static_cast<size_t>(it - state_->backends.begin());
  state_->backends.erase(it);
  if (index < state_->cursor) --state_->cursor;
  std::vector<uint64_t> affected;
  for (auto& [connection_id, connection] : state_->connections) {
    if (connection.backend_id == id) affected.push_back(connection_id);
  }
  for (uint64_t connection_id : affected) {
    Connection& connection = state_->connections.at(connection_id);
    if (connection.connecting) {
      state_->Retry(connection_id, connection);
    } else {
      state_->Close(connection_id, connection, /*reset=*/true);
    }
  }
  return state_->ArmTimer();
}

int TcpBalancer::ActiveConnections(const std::string& id) const {
  Backend* b = state_->FindBackend(id);
  return b == nullptr ? 0 : b->active;
}

}  // namespace i2kit
