// The connect() redirect, for real: attached to a cgroup of its own (root and a cgroup2
// hierarchy needed, else skipped: hosts with cgroup v1 only rely on the service-discovery VM
// test), a process in that cgroup connecting to a virtual address reaches the backend; one
// outside it, or to an address not in the table, does not; a port with several backends
// spreads its connections over all of them.
#include "guest-agent/connect_redirect.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "common/unique_fd.h"
#include "tests/guest-agent/test_cgroup.h"

namespace i2kit {
namespace {

constexpr uint32_t kVirtual = (127u << 24) | (77u << 16) | (9 << 8) | 9;  // 127.77.9.9

// In a child process moved into `cgroup` (if not empty): connect to 127.77.9.9:`port`, send
// "ping". Returns whether that worked.
bool ConnectFromChild(const std::string& cgroup, int port) {
  return guest_test::RunInCgroup(cgroup, [port] {
           int fd = ::socket(AF_INET, SOCK_STREAM, 0);
           sockaddr_in a{};
           a.sin_family = AF_INET;
           a.sin_port = htons(static_cast<uint16_t>(port));
           a.sin_addr.s_addr = htonl(kVirtual);
           bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0 &&
                     ::send(fd, "ping", 4, 0) == 4;
           return ok ? 0 : 1;
         }) == 0;
}

// A TCP listener on an ephemeral port of 127.0.0.1.
class Backend {
 public:
  Backend() : fd_(::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0)) {
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t size = sizeof a;
    if (::bind(fd_.get(), reinterpret_cast<sockaddr*>(&a), sizeof a) == 0 &&
        ::listen(fd_.get(), 64) == 0 &&
        ::getsockname(fd_.get(), reinterpret_cast<sockaddr*>(&a), &size) == 0) {
      port_ = ntohs(a.sin_port);
    }
  }
  uint16_t port() const { return port_; }
  Ipv4Endpoint endpoint() const { return {INADDR_LOOPBACK, port_}; }
  // Accepts what is waiting; returns how many connections, each checked to have sent "ping".
  int AcceptAll() {
    int n = 0;
    for (UniqueFd c; c.reset(::accept4(fd_.get(), nullptr, nullptr, SOCK_CLOEXEC)), c.valid();) {
      char buffer[4];
      if (::recv(c.get(), buffer, sizeof buffer, MSG_WAITALL) == 4 &&
          std::string(buffer, 4) == "ping")
        ++n;
    }
    return n;
  }

 private:
  UniqueFd fd_;
  uint16_t port_ = 0;
};

TEST(ConnectRedirectTest, ConnectsToAVirtualAddressReachTheBackendInsideTheCgroupOnly) {
  guest_test::TestCgroup cgroup("i2kit-connect-redirect");
  if (cgroup.path().empty()) GTEST_SKIP() << "needs root and a writable cgroup2 hierarchy";
  Backend backend;
  ASSERT_NE(backend.port(), 0);
  {
    Result<ConnectRedirect> redirect = ConnectRedirect::Attach(cgroup.path());
    ASSERT_TRUE(redirect.ok()) << redirect.status().message();
    ASSERT_TRUE(redirect.value().Set({{{kVirtual, 18080}, {backend.endpoint()}}}).ok());

    EXPECT_TRUE(ConnectFromChild(cgroup.path(), 18080));
    EXPECT_EQ(backend.AcceptAll(), 1);

    EXPECT_FALSE(ConnectFromChild(cgroup.path(), 18081));  // not in the table: refused
    EXPECT_FALSE(ConnectFromChild("", 18080));             // outside the cgroup: untouched
    EXPECT_EQ(backend.AcceptAll(), 0);

    ASSERT_TRUE(redirect.value().Set({}).ok());  // removed from the table
    EXPECT_FALSE(ConnectFromChild(cgroup.path(), 18080));
  }
  // Detached with the object: the cgroup is empty again and can go.
}

TEST(ConnectRedirectTest, ConnectionsSpreadOverEveryBackendOfAPort) {
  guest_test::TestCgroup cgroup("i2kit-connect-redirect");
  if (cgroup.path().empty()) GTEST_SKIP() << "needs root and a writable cgroup2 hierarchy";
  Backend first, second, third;
  Result<ConnectRedirect> redirect = ConnectRedirect::Attach(cgroup.path());
  ASSERT_TRUE(redirect.ok()) << redirect.status().message();
  ASSERT_TRUE(redirect.value()
                  .Set({{{kVirtual, 80}, {first.endpoint(), second.endpoint(), third.endpoint()}}})
                  .ok());
  int connects = 60;
  for (int i = 0; i < connects; ++i) ASSERT_TRUE(ConnectFromChild(cgroup.path(), 80));
  int a = first.AcceptAll(), b = second.AcceptAll(), c = third.AcceptAll();
  EXPECT_EQ(a + b + c, connects);
  // Random picks: each backend misses all 60 with probability (2/3)^60, about 3e-11.
  EXPECT_GT(a, 0);
  EXPECT_GT(b, 0);
  EXPECT_GT(c, 0);

  EXPECT_FALSE(redirect.value().Set({{{kVirtual, 80}, {}}}).ok());  // no backend: refused
  std::vector<Ipv4Endpoint> too_many(ConnectRedirect::kMaxBackends + 1, first.endpoint());
  EXPECT_FALSE(redirect.value().Set({{{kVirtual, 80}, too_many}}).ok());
}

}  // namespace
}  // namespace i2kit
