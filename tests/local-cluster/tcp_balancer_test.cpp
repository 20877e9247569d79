// The local load balancer with real sockets on loopback: echo backends in their own threads,
// the balancer pumped by the test thread (as the controller's loop will), clients either
// non-blocking in the test thread or blocking in a thread of their own.
#include "local-cluster/tcp_balancer.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>

#include <atomic>
#include <functional>
#include <memory>
#include <random>
#include <thread>
#include <vector>

#include "local-vm/local_ports.h"

namespace i2kit {
namespace {

using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

// Bounded waits: every wait in these tests ends by this, even when something is broken.
constexpr milliseconds kPatience(4000);

// Port of a bound socket.
int PortOf(int fd) {
  sockaddr_in address{};
  socklen_t size = sizeof address;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &size);
  return ntohs(address.sin_port);
}

// A listener on 127.0.0.1 with a kernel-chosen port and room for `backlog` unaccepted clients.
UniqueFd Listener(int backlog) {
  UniqueFd fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::bind(fd.get(), reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0 ||
      ::listen(fd.get(), backlog) != 0) {
    fd.reset();
  }
  return fd;
}

// An echo server in its own thread: sends back what it reads, closes after the client's FIN
// once all is echoed. Stops reading a client 1 MiB ahead of what it has sent back.
class EchoServer {
 public:
  EchoServer() : listener_(Listener(SOMAXCONN)), stop_(::eventfd(0, EFD_CLOEXEC)) {
    port_ = PortOf(listener_.get());
    thread_ = std::thread([this] { Serve(); });
  }
  ~EchoServer() {
    uint64_t one = 1;
    (void)!::write(stop_.get(), &one, sizeof one);
    thread_.join();
  }
  int port() const { return port_; }
  int accepted() const { return accepted_; }

 private:
  struct Client {
    UniqueFd fd;
    std::string out;
    bool eof = false;
  };

  void Serve() {
    std::vector<Client> clients;
    for (;;) {
      std::vector<pollfd> fds{{stop_.get(), POLLIN, 0}, {listener_.get(), POLLIN, 0}};
      for (const Client& c : clients) {
        short events =
            (!c.eof && c.out.size() < (1 << 20) ? POLLIN : 0) | (c.out.empty() ? 0 : POLLOUT);
        fds.push_back({c.fd.get(), events, 0});
      }
      if (::poll(fds.data(), fds.size(), -1) < 0) continue;
      if (fds[0].revents != 0) return;
      for (size_t i = 0; i < clients.size(); ++i) Step(clients[i], fds[i + 2].revents);
      std::erase_if(clients, [](const Client& c) { return !c.fd.valid(); });
      if (fds[1].revents != 0) {
        UniqueFd fd(::accept4(listener_.get(), nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC));
        if (fd.valid()) {
          ++accepted_;
          clients.push_back({std::move(fd), "", false});
        }
      }
    }
  }

  static void Step(Client& c, short revents) {
    if ((revents & (POLLERR | POLLNVAL)) != 0) return c.fd.reset();
    if ((revents & (POLLIN | POLLHUP)) != 0 && !c.eof) {
      char chunk[65536];
      ssize_t n = ::recv(c.fd.get(), chunk, sizeof chunk, 0);
      if (n < 0 && errno != EAGAIN) return c.fd.reset();
      if (n == 0) c.eof = true;
      if (n > 0) c.out.append(chunk, static_cast<size_t>(n));
    }
    if (!c.out.empty()) {
      ssize_t n = ::send(c.fd.get(), c.out.data(), c.out.size(), MSG_NOSIGNAL);
      if (n < 0 && errno != EAGAIN) return c.fd.reset();
      if (n > 0) c.out.erase(0, static_cast<size_t>(n));
    }
    if (c.eof && c.out.empty()) c.fd.reset();
  }

  UniqueFd listener_;
  UniqueFd stop_;
  int port_ = 0;
  std::atomic<int> accepted_ = 0;
  std::thread thread_;
};

// Polls the balancer until `done` or kPatience; false on timeout.
bool PumpUntil(TcpBalancer& balancer, const std::function<bool()>& done) {
  Clock::time_point deadline = Clock::now() + kPatience;
  while (!done()) {
    if (Clock::now() > deadline) return false;
    EXPECT_TRUE(balancer.Poll(milliseconds(5)).ok());
  }
  return true;
}

// A blocking client connected to 127.0.0.1:port; its reads and writes give up after kPatience.
UniqueFd Connect(int port) {
  UniqueFd fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  timeval patience{kPatience.count() / 1000, 0};
  ::setsockopt(fd.get(), SOL_SOCKET, SO_RCVTIMEO, &patience, sizeof patience);
  ::setsockopt(fd.get(), SOL_SOCKET, SO_SNDTIMEO, &patience, sizeof patience);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd.get(), reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0) {
    fd.reset();
  }
  return fd;
}

// What arrives on `fd` until `size` bytes, EOF or an error, with the balancer pumped meanwhile.
std::string Receive(TcpBalancer& balancer, int fd, size_t size) {
  std::string received;
  bool ended = false;
  PumpUntil(balancer, [&] {
    char chunk[4096];
    ssize_t n;
    while ((n = ::recv(fd, chunk, sizeof chunk, MSG_DONTWAIT)) > 0) {
      received.append(chunk, static_cast<size_t>(n));
    }
    ended = n == 0 || (n < 0 && errno != EAGAIN);
    return ended || received.size() >= size;
  });
  return received;
}

// Sends a short message through the balancer and says whether it came back whole.
bool Roundtrip(TcpBalancer& balancer, int fd, const std::string& message) {
  if (::send(fd, message.data(), message.size(), MSG_NOSIGNAL) !=
      static_cast<ssize_t>(message.size())) {
    return false;
  }
  return Receive(balancer, fd, message.size()) == message;
}

// Whether the client's connection has ended (EOF or reset), pumping the balancer meanwhile.
bool Ended(TcpBalancer& balancer, int fd) {
  return PumpUntil(balancer, [&] {
    char byte;
    ssize_t n = ::recv(fd, &byte, 1, MSG_DONTWAIT);
    return n == 0 || (n < 0 && errno != EAGAIN);
  });
}

// Runs `client` in a thread of its own while this thread pumps the balancer.
void WithClient(TcpBalancer& balancer, const std::function<void()>& client) {
  std::atomic<bool> done = false;
  std::thread thread([&] {
    client();
    done = true;
  });
  EXPECT_TRUE(PumpUntil(balancer, [&] { return done.load(); }));
  thread.join();
}

std::string RandomBytes(size_t size, unsigned seed) {
  std::mt19937 generator(seed);
  std::string bytes(size, '\0');
  for (char& c : bytes) c = static_cast<char>(generator());
  return bytes;
}

// Sends all of `data` on a blocking socket.
bool SendAll(int fd, std::string_view data) {
  while (!data.empty()) {
    ssize_t n = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL);
    if (n <= 0) return false;
    data.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

// Reads a blocking socket until EOF, an error or `limit` bytes.
std::string ReceiveAll(int fd, size_t limit) {
  std::string received;
  char chunk[65536];
  ssize_t n;
  while (received.size() < limit &&
         (n = ::recv(fd, chunk, std::min(sizeof chunk, limit - received.size()), 0)) > 0) {
    received.append(chunk, static_cast<size_t>(n));
  }
  return received;
}

class TcpBalancerTest : public ::testing::Test {
 protected:
  // A balancer on a free port with `count` echo backends "b0"… in service.
  void Start(int count, BalancerOptions options = {}) {
    Result<TcpBalancer> created = TcpBalancer::Listen(0, options);
    ASSERT_TRUE(created.ok()) << created.status().message();
    balancer_ = std::make_unique<TcpBalancer>(std::move(created).value());
    for (int i = 0; i < count; ++i) {
      backends_.push_back(std::make_unique<EchoServer>());
      std::string id = "b" + std::to_string(i);
      ASSERT_TRUE(balancer_->AddBackend(id, "127.0.0.1", backends_.back()->port()).ok());
      ASSERT_TRUE(balancer_->SetInService(id, true).ok());
    }
  }

  // Adds an in-service backend at a port where nothing listens.
  void AddDeadBackend(const std::string& id) {
    Result<int> port = PickFreeLocalPort();
    ASSERT_TRUE(port.ok());
    ASSERT_TRUE(balancer_->AddBackend(id, "127.0.0.1", *port).ok());
    ASSERT_TRUE(balancer_->SetInService(id, true).ok());
  }

  // One short connection: connect, echo `message`, close, wait until the balancer let go of it.
  bool OneRequest(const std::string& message = "ping") {
    UniqueFd client = Connect(balancer_->port());
    if (!client.valid() || !Roundtrip(*balancer_, client.get(), message)) return false;
    client.reset();
    return PumpUntil(*balancer_, [&] { return TotalActive() == 0; });
  }

  int TotalActive() const {
    int total = 0;
    for (size_t i = 0; i < backends_.size(); ++i) {
      total += balancer_->ActiveConnections("b" + std::to_string(i));
    }
    return total;
  }

  std::vector<int> Accepted() const {
    std::vector<int> counts;
    for (const auto& b : backends_) counts.push_back(b->accepted());
    return counts;
  }

  std::vector<std::unique_ptr<EchoServer>> backends_;
  std::unique_ptr<TcpBalancer> balancer_;
};

TEST_F(TcpBalancerTest, SequentialConnectionsAreSpreadEvenly) {
  Start(3);
  for (int i = 0; i < 30; ++i) ASSERT_TRUE(OneRequest("request " + std::to_string(i)));
  EXPECT_EQ(Accepted(), (std::vector<int>{10, 10, 10}));
  EXPECT_EQ(balancer_->stats().accepted, 30u);
}

TEST_F(TcpBalancerTest, ManyConcurrentConnectionsAreSpreadEvenlyAndAllServed) {
  Start(3);
  constexpr int kClients = 200;
  std::atomic<int> served = 0;
  WithClient(*balancer_, [&] {
    std::vector<UniqueFd> clients;
    for (int i = 0; i < kClients; ++i) {
      clients.push_back(Connect(balancer_->port()));
      std::string message = "client " + std::to_string(i);
      SendAll(clients.back().get(), message);
    }
    // Every reply before any FIN: all the connections are open at once.
    for (int i = 0; i < kClients; ++i) {
      std::string message = "client " + std::to_string(i);
      if (ReceiveAll(clients[i].get(), message.size()) == message) ++served;
    }
    for (int i = 0; i < kClients; ++i) {
      ::shutdown(clients[i].get(), SHUT_WR);
      EXPECT_EQ(ReceiveAll(clients[i].get(), 1), "");
    }
  });
  EXPECT_EQ(served, kClients);
  // All were open at once, so least connections leaves at most one between any two backends.
  for (int count : Accepted()) {
    EXPECT_GE(count, kClients / 3);
    EXPECT_LE(count, kClients / 3 + 1);
  }
  EXPECT_TRUE(PumpUntil(*balancer_, [&] { return TotalActive() == 0; }));
}

TEST_F(TcpBalancerTest, BackendOutOfServiceGetsNoConnections) {
  Start(3);
  ASSERT_TRUE(balancer_->SetInService("b2", false).ok());
  for (int i = 0; i < 12; ++i) ASSERT_TRUE(OneRequest());
  EXPECT_EQ(Accepted(), (std::vector<int>{6, 6, 0}));

  ASSERT_TRUE(balancer_->SetInService("b0", false).ok());
  for (int i = 0; i < 4; ++i) ASSERT_TRUE(OneRequest());
  EXPECT_EQ(Accepted(), (std::vector<int>{6, 10, 0}));
}

TEST_F(TcpBalancerTest, DeadBackendIsSkippedAndEveryRequestSucceeds) {
  Start(2);
  AddDeadBackend("dead");
  for (int i = 0; i < 30; ++i) ASSERT_TRUE(OneRequest("request " + std::to_string(i)));
  EXPECT_EQ(Accepted(), (std::vector<int>{15, 15}));
  EXPECT_GE(balancer_->stats().connect_failures, 5u);
  EXPECT_EQ(balancer_->stats().gave_up, 0u);
  EXPECT_EQ(balancer_->ActiveConnections("dead"), 0);
}

TEST_F(TcpBalancerTest, ClientIsClosedWhenEveryBackendRefuses) {
  Start(0);
  AddDeadBackend("dead0");
  AddDeadBackend("dead1");
  UniqueFd client = Connect(balancer_->port());
  EXPECT_TRUE(Ended(*balancer_, client.get()));
  EXPECT_EQ(balancer_->stats().connect_failures, 2u);
  EXPECT_EQ(balancer_->stats().gave_up, 1u);
}

TEST_F(TcpBalancerTest, ClientIsClosedWhenNoBackendIsInService) {
  Start(1);
  ASSERT_TRUE(balancer_->SetInService("b0", false).ok());
  UniqueFd client = Connect(balancer_->port());
  EXPECT_TRUE(Ended(*balancer_, client.get()));
  EXPECT_EQ(balancer_->stats().rejected, 1u);
  EXPECT_EQ(backends_[0]->accepted(), 0);
}

TEST_F(TcpBalancerTest, BackendThatDoesNotAnswerConnectsIsSkippedAfterTheTimeout) {
  // A backlog of 0 holds one connection; once it is taken, the kernel drops further SYNs and
  // connect() hangs, as it does for a backend too busy to accept.
  UniqueFd stuck = Listener(0);
  UniqueFd filler(::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<uint16_t>(PortOf(stuck.get())));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::connect(filler.get(), reinterpret_cast<const sockaddr*>(&address), sizeof address);

  BalancerOptions options;
  options.connect_timeout = milliseconds(200);
  Start(0, options);
  ASSERT_TRUE(balancer_->AddBackend("stuck", "127.0.0.1", PortOf(stuck.get())).ok());
  ASSERT_TRUE(balancer_->SetInService("stuck", true).ok());
  backends_.push_back(std::make_unique<EchoServer>());
  ASSERT_TRUE(balancer_->AddBackend("b0", "127.0.0.1", backends_[0]->port()).ok());
  ASSERT_TRUE(balancer_->SetInService("b0", true).ok());

  // "stuck" comes first in the round-robin order.
  UniqueFd client = Connect(balancer_->port());
  Clock::time_point start = Clock::now();
  EXPECT_TRUE(Roundtrip(*balancer_, client.get(), "hello"));
  EXPECT_GE(Clock::now() - start, milliseconds(200));
  EXPECT_EQ(balancer_->stats().connect_failures, 1u);
  EXPECT_EQ(balancer_->ActiveConnections("stuck"), 0);
}

TEST_F(TcpBalancerTest, DrainKeepsOpenConnectionsAndSendsNewOnesElsewhereUntilTheDeadline) {
  Start(2);
  UniqueFd long_lived = Connect(balancer_->port());
  ASSERT_TRUE(Roundtrip(*balancer_, long_lived.get(), "first"));
  ASSERT_EQ(Accepted(), (std::vector<int>{1, 0}));

  Clock::time_point deadline = Clock::now() + milliseconds(600);
  ASSERT_TRUE(balancer_->Drain("b0", deadline).ok());
  EXPECT_TRUE(Roundtrip(*balancer_, long_lived.get(), "still served while draining"));
  for (int i = 0; i < 3; ++i) {
    UniqueFd client = Connect(balancer_->port());
    EXPECT_TRUE(Roundtrip(*balancer_, client.get(), "new"));
  }
  EXPECT_EQ(Accepted(), (std::vector<int>{1, 3}));
  EXPECT_EQ(balancer_->ActiveConnections("b0"), 1);

  EXPECT_TRUE(Ended(*balancer_, long_lived.get()));
  EXPECT_GE(Clock::now(), deadline);
  EXPECT_EQ(balancer_->ActiveConnections("b0"), 0);
  EXPECT_EQ(balancer_->stats().cut_at_deadline, 1u);
}

TEST_F(TcpBalancerTest, DrainEndsWhenTheLastConnectionCloses) {
  Start(1);
  UniqueFd client = Connect(balancer_->port());
  ASSERT_TRUE(Roundtrip(*balancer_, client.get(), "hello"));
  ASSERT_TRUE(balancer_->Drain("b0", Clock::now() + std::chrono::hours(1)).ok());
  ::shutdown(client.get(), SHUT_WR);
  EXPECT_TRUE(Ended(*balancer_, client.get()));
  EXPECT_TRUE(PumpUntil(*balancer_, [&] { return balancer_->ActiveConnections("b0") == 0; }));
  EXPECT_EQ(balancer_->stats().cut_at_deadline, 0u);
}

TEST_F(TcpBalancerTest, DrainingBackendCannotReturnToService) {
  Start(2);
  ASSERT_TRUE(balancer_->Drain("b0", Clock::now()).ok());
  Status back = balancer_->SetInService("b0", true);
  EXPECT_FALSE(back.ok());
  EXPECT_NE(back.message().find("draining"), std::string::npos);
  for (int i = 0; i < 4; ++i) ASSERT_TRUE(OneRequest());
  EXPECT_EQ(Accepted(), (std::vector<int>{0, 4}));
}

TEST_F(TcpBalancerTest, FdBecomesReadableAtTheDrainDeadline) {
  Start(1);
  UniqueFd client = Connect(balancer_->port());
  ASSERT_TRUE(Roundtrip(*balancer_, client.get(), "hello"));
  ASSERT_TRUE(balancer_->Poll(milliseconds(0)).ok());
  Clock::time_point deadline = Clock::now() + milliseconds(100);
  ASSERT_TRUE(balancer_->Drain("b0", deadline).ok());
  pollfd p{balancer_->fd(), POLLIN, 0};
  ASSERT_EQ(::poll(&p, 1, static_cast<int>(kPatience.count())), 1);
  EXPECT_GE(Clock::now(), deadline);
  ASSERT_TRUE(balancer_->Poll(milliseconds(0)).ok());
  EXPECT_EQ(balancer_->ActiveConnections("b0"), 0);
}

TEST_F(TcpBalancerTest, RemovedBackendsConnectionsAreReset) {
  Start(2);
  UniqueFd client = Connect(balancer_->port());
  ASSERT_TRUE(Roundtrip(*balancer_, client.get(), "hello"));
  ASSERT_TRUE(balancer_->RemoveBackend("b0").ok());
  EXPECT_TRUE(Ended(*balancer_, client.get()));
  EXPECT_EQ(balancer_->ActiveConnections("b0"), 0);
  for (int i = 0; i < 2; ++i) EXPECT_TRUE(OneRequest());
  EXPECT_EQ(Accepted(), (std::vector<int>{1, 2}));
}

TEST_F(TcpBalancerTest, HalfClosedClientStillReceivesTheWholeResponse) {
  BalancerOptions options;
  options.buffer_size = 4096;  // many rounds of backpressure
  Start(1, options);
  std::string request = RandomBytes(300 * 1024, 1);
  std::string response;
  WithClient(*balancer_, [&] {
    UniqueFd client = Connect(balancer_->port());
    ASSERT_TRUE(SendAll(client.get(), request));
    ::shutdown(client.get(), SHUT_WR);
    response = ReceiveAll(client.get(), request.size() + 1);
  });
  EXPECT_EQ(response.size(), request.size());
  EXPECT_TRUE(response == request);
}

TEST_F(TcpBalancerTest, LargeTransferBothWaysArrivesIntact) {
  Start(1);
  std::string data = RandomBytes(8 << 20, 2);
  std::string echoed;
  WithClient(*balancer_, [&] {
    UniqueFd client = Connect(balancer_->port());
    std::thread sender([&] {
      SendAll(client.get(), data);
      ::shutdown(client.get(), SHUT_WR);
    });
    echoed = ReceiveAll(client.get(), data.size() + 1);
    sender.join();
  });
  EXPECT_EQ(echoed.size(), data.size());
  EXPECT_EQ(std::hash<std::string>{}(echoed), std::hash<std::string>{}(data));
}

TEST_F(TcpBalancerTest, ClientThatNeverReadsIsThrottledNotBuffered) {
  Start(1);
  UniqueFd client = Connect(balancer_->port());
  std::string chunk(64 * 1024, 'x');
  size_t sent = 0;
  int stalled_polls = 0;
  Clock::time_point deadline = Clock::now() + kPatience;
  // Every buffer on the way fills (the client's, the balancer's, the echo server's 1 MiB),
  // then the client cannot send any more.
  while (stalled_polls < 50 && Clock::now() < deadline) {
    ssize_t n;
    bool moved = false;
    while ((n = ::send(client.get(), chunk.data(), chunk.size(), MSG_DONTWAIT | MSG_NOSIGNAL)) >
           0) {
      sent += static_cast<size_t>(n);
      moved = true;
    }
    stalled_polls = moved ? 0 : stalled_polls + 1;
    ASSERT_TRUE(balancer_->Poll(milliseconds(1)).ok());
  }
  EXPECT_EQ(stalled_polls, 50);
  EXPECT_LT(sent, 64u << 20);
}

TEST_F(TcpBalancerTest, ClientVanishingMidTransferDoesNotHurtTheBalancer) {
  Start(1);
  {
    UniqueFd client = Connect(balancer_->port());
    std::string data = RandomBytes(1 << 20, 3);
    ASSERT_TRUE(Roundtrip(*balancer_, client.get(), "hello"));
    ASSERT_TRUE(SendAll(client.get(), data.substr(0, 512 * 1024)));
    for (int i = 0; i < 5; ++i) ASSERT_TRUE(balancer_->Poll(milliseconds(1)).ok());
    // Unread data makes close() send RST; the echo keeps writing to a client that is gone:
    // without MSG_NOSIGNAL this would be SIGPIPE.
  }
  EXPECT_TRUE(PumpUntil(*balancer_, [&] { return TotalActive() == 0; }));
  EXPECT_TRUE(OneRequest());
}

TEST_F(TcpBalancerTest, ServesOnTheCallersListener) {
  UniqueFd listener = Listener(16);
  int port = PortOf(listener.get());
  Result<TcpBalancer> balancer = TcpBalancer::FromListener(std::move(listener));
  ASSERT_TRUE(balancer.ok()) << balancer.status().message();
  EXPECT_EQ(balancer->port(), port);
  EchoServer echo;
  TcpBalancer& b = balancer.value();
  ASSERT_TRUE(b.AddBackend("b0", "127.0.0.1", echo.port()).ok());
  ASSERT_TRUE(b.SetInService("b0", true).ok());
  UniqueFd client = Connect(port);
  EXPECT_TRUE(Roundtrip(b, client.get(), "hello"));
}

TEST_F(TcpBalancerTest, SocketThatIsNotListeningIsRefused) {
  UniqueFd socket(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  Result<TcpBalancer> balancer = TcpBalancer::FromListener(std::move(socket));
  ASSERT_FALSE(balancer.ok());
  EXPECT_NE(balancer.status().message().find("not a listening socket"), std::string::npos);
}

TEST_F(TcpBalancerTest, PortInUseIsReportedWithThePortAndErrno) {
  UniqueFd taken = Listener(1);
  int port = PortOf(taken.get());
  Result<TcpBalancer> balancer = TcpBalancer::Listen(port);
  ASSERT_FALSE(balancer.ok());
  EXPECT_NE(balancer.status().message().find("127.0.0.1:" + std::to_string(port)),
            std::string::npos);
  EXPECT_NE(balancer.status().message().find("EADDRINUSE"), std::string::npos);
}

TEST_F(TcpBalancerTest, BackendsAreNamedByAddressAndUniqueId) {
  Start(1);
  EXPECT_FALSE(balancer_->AddBackend("b0", "127.0.0.1", 80).ok());
  EXPECT_FALSE(balancer_->AddBackend("name", "localhost", 80).ok());
  EXPECT_FALSE(balancer_->AddBackend("port", "127.0.0.1", 70000).ok());
  EXPECT_FALSE(balancer_->SetInService("nope", true).ok());
  EXPECT_FALSE(balancer_->Drain("nope", Clock::now()).ok());
  EXPECT_FALSE(balancer_->RemoveBackend("nope").ok());
  EXPECT_EQ(balancer_->ActiveConnections("nope"), 0);
}

}  // namespace
}  // namespace i2kit
