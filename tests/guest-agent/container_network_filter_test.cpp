// The containers' network filter, for real: attached to a test cgroup (root and cgroup2
// needed, else skipped), a process in a cgroup below it gets EPERM from connect() and UDP
// sendto() to a blocked address or port, over IPv4 and IPv6; other destinations, and processes
// outside the cgroup, are untouched. 127.0.0.9 stands in for the metadata address.
#include "guest-agent/container_network_filter.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cerrno>
#include <string>

#include "common/unique_fd.h"
#include "guest-agent/connect_redirect.h"
#include "tests/guest-agent/test_cgroup.h"

namespace i2kit {
namespace {

using guest_test::RunInCgroup;
using guest_test::TestCgroup;

constexpr const char* kMetadata = "127.0.0.9";

// A TCP listener on `address` (IPv4), port chosen by the kernel.
struct Listener {
  explicit Listener(const char* address) : fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) {
    sockaddr_in a{};
    a.sin_family = AF_INET;
    ::inet_pton(AF_INET, address, &a.sin_addr);
    socklen_t size = sizeof a;
    if (::bind(fd.get(), reinterpret_cast<sockaddr*>(&a), sizeof a) == 0 &&
        ::listen(fd.get(), 16) == 0 &&
        ::getsockname(fd.get(), reinterpret_cast<sockaddr*>(&a), &size) == 0) {
      port = ntohs(a.sin_port);
    }
  }
  UniqueFd fd;
  uint16_t port = 0;
};

// The errno of a TCP connect (or UDP sendto) to address:port, 0 when it worked.
int Try(int type, const std::string& address, uint16_t port) {
  sockaddr_storage storage{};
  socklen_t size = 0;
  int family = address.find(':') == std::string::npos ? AF_INET : AF_INET6;
  if (family == AF_INET) {
    auto* a = reinterpret_cast<sockaddr_in*>(&storage);
    a->sin_family = AF_INET;
    a->sin_port = htons(port);
    ::inet_pton(AF_INET, address.c_str(), &a->sin_addr);
    size = sizeof *a;
  } else {
    auto* a = reinterpret_cast<sockaddr_in6*>(&storage);
    a->sin6_family = AF_INET6;
    a->sin6_port = htons(port);
    ::inet_pton(AF_INET6, address.c_str(), &a->sin6_addr);
    size = sizeof *a;
  }
  UniqueFd fd(::socket(family, type | SOCK_CLOEXEC, 0));
  if (!fd.valid()) return errno;
  auto* to = reinterpret_cast<sockaddr*>(&storage);
  int result = type == SOCK_STREAM ? ::connect(fd.get(), to, size)
                                   : static_cast<int>(::sendto(fd.get(), "x", 1, 0, to, size));
  return result < 0 ? errno : 0;
}

int TryIn(const std::string& cgroup, int type, const std::string& address, uint16_t port) {
  return RunInCgroup(cgroup, [&] { return Try(type, address, port); });
}

bool HostHasIpv6Loopback() {
  Listener probe("127.0.0.1");
  UniqueFd fd(::socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0));
  sockaddr_in6 a{};
  a.sin6_family = AF_INET6;
  a.sin6_addr = in6addr_loopback;
  return fd.valid() && ::bind(fd.get(), reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
}

class ContainerNetworkFilterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (parent_.path().empty() || container_.path().empty()) {
      GTEST_SKIP() << "needs root and a writable cgroup2 hierarchy";
    }
    ASSERT_NE(metadata_.port, 0);
    ASSERT_NE(agent_.port, 0);
    ASSERT_NE(web_.port, 0);
  }
  // The layout of a Pod VM: the filter on the parent, each container in a cgroup below it.
  TestCgroup parent_{"i2kit-network-filter"};
  TestCgroup container_{"web", &parent_};
  Listener metadata_{kMetadata};
  Listener agent_{"127.0.0.1"};
  Listener web_{"127.0.0.1"};
};

TEST_F(ContainerNetworkFilterTest, RefusesTheBlockedDestinationsToContainersOnly) {
  Result<ContainerNetworkFilter> filter =
      ContainerNetworkFilter::Attach(parent_.path(), {{kMetadata, 0}, {"", agent_.port}});
  ASSERT_TRUE(filter.ok()) << filter.status().message();
  const std::string& inside = container_.path();

  EXPECT_EQ(TryIn(inside, SOCK_STREAM, kMetadata, metadata_.port), EPERM);
  EXPECT_EQ(TryIn(inside, SOCK_STREAM, kMetadata, web_.port), EPERM);  // every port of it
  EXPECT_EQ(TryIn(inside, SOCK_DGRAM, kMetadata, 53), EPERM);
  EXPECT_EQ(TryIn(inside, SOCK_STREAM, "127.0.0.1", agent_.port), EPERM);
  EXPECT_EQ(TryIn(inside, SOCK_STREAM, "127.0.0.2", agent_.port), EPERM);  // every address
  EXPECT_EQ(TryIn(inside, SOCK_STREAM, "127.0.0.1", web_.port), 0);
  EXPECT_EQ(TryIn(inside, SOCK_DGRAM, "127.0.0.1", web_.port), 0);

  // The agent's side of the Pod (the root cgroup here: the test's own) keeps both.
  EXPECT_EQ(TryIn("", SOCK_STREAM, kMetadata, metadata_.port), 0);
  EXPECT_EQ(TryIn("", SOCK_STREAM, "127.0.0.1", agent_.port), 0);
}

TEST_F(ContainerNetworkFilterTest, RefusesThemOverIpv6AndIpv4MappedAddressesToo) {
  if (!HostHasIpv6Loopback()) GTEST_SKIP() << "no IPv6 loopback on this host";
  Result<ContainerNetworkFilter> filter = ContainerNetworkFilter::Attach(
      parent_.path(), {{kMetadata, 0}, {"fd00:ec2::254", 0}, {"", agent_.port}});
  ASSERT_TRUE(filter.ok()) << filter.status().message();
  const std::string& inside = container_.path();

  EXPECT_EQ(TryIn(inside, SOCK_STREAM, std::string("::ffff:") + kMetadata, metadata_.port), EPERM);
  EXPECT_EQ(TryIn(inside, SOCK_STREAM, "::ffff:127.0.0.1", agent_.port), EPERM);
  EXPECT_EQ(TryIn(inside, SOCK_STREAM, "::1", agent_.port), EPERM);
  EXPECT_EQ(TryIn(inside, SOCK_DGRAM, "fd00:ec2::254", 80), EPERM);
  EXPECT_EQ(TryIn(inside, SOCK_STREAM, "::ffff:127.0.0.1", web_.port), 0);
}

TEST_F(ContainerNetworkFilterTest, SeesTheVirtualAddressBeforeTheServiceRedirectRewritesIt) {
  // As in the VM: the redirect on an ancestor sends a service's virtual address to a backend
  // the filter blocks (there, the host's loopback); the filter sees what the container asked for.
  TestCgroup root("i2kit-filter-order");
  TestCgroup parent("i2kit", &root);
  TestCgroup container("web", &parent);
  ASSERT_FALSE(container.path().empty());
  const uint32_t kVirtual = (127u << 24) | (77u << 16) | (9 << 8) | 9;
  Result<ConnectRedirect> redirect = ConnectRedirect::Attach(root.path());
  ASSERT_TRUE(redirect.ok()) << redirect.status().message();
  ASSERT_TRUE(redirect.value().Set({{{kVirtual, 80}, {{INADDR_LOOPBACK, web_.port}}}}).ok());
  Result<ContainerNetworkFilter> filter =
      ContainerNetworkFilter::Attach(parent.path(), {{"127.0.0.1", 0}});
  ASSERT_TRUE(filter.ok()) << filter.status().message();

  EXPECT_EQ(TryIn(container.path(), SOCK_STREAM, "127.77.9.9", 80), 0);
  EXPECT_EQ(TryIn(container.path(), SOCK_STREAM, "127.0.0.1", web_.port), EPERM);
}

TEST_F(ContainerNetworkFilterTest, DetachesWhenTheFilterGoes) {
  {
    Result<ContainerNetworkFilter> filter =
        ContainerNetworkFilter::Attach(parent_.path(), {{kMetadata, 0}});
    ASSERT_TRUE(filter.ok()) << filter.status().message();
    EXPECT_EQ(TryIn(container_.path(), SOCK_STREAM, kMetadata, metadata_.port), EPERM);
  }
  EXPECT_EQ(TryIn(container_.path(), SOCK_STREAM, kMetadata, metadata_.port), 0);
}

bool Blocks(const std::vector<BlockedDestination>& blocked, const std::string& address,
            uint16_t port) {
  for (const BlockedDestination& b : blocked) {
    if ((b.address.empty() || b.address == address) && (b.port == 0 || b.port == port)) return true;
  }
  return false;
}

TEST(ContainerNetworkFilterRules, OnEc2ContainersLoseTheMetadataServiceAndTheAgentPort) {
  std::vector<BlockedDestination> blocked = PodBlockedDestinations("169.254.169.254", {8089, 8090});
  EXPECT_TRUE(Blocks(blocked, "169.254.169.254", 80));
  EXPECT_TRUE(Blocks(blocked, "fd00:ec2::254", 80));
  EXPECT_TRUE(Blocks(blocked, "10.0.0.5", 8089));
  EXPECT_FALSE(Blocks(blocked, "10.0.2.2", 5432));       // a VPC address like any other on EC2
  EXPECT_FALSE(Blocks(blocked, "169.254.169.253", 53));  // the VPC's resolver
}

TEST(ContainerNetworkFilterRules, UnderRunContainersLoseTheLocalMetadataAndTheHostLoopback) {
  std::vector<BlockedDestination> blocked = PodBlockedDestinations("10.0.2.4", {8089, 8090});
  EXPECT_TRUE(Blocks(blocked, "10.0.2.4", 80));
  EXPECT_TRUE(Blocks(blocked, "10.0.2.2", 5432));
  EXPECT_TRUE(Blocks(blocked, "169.254.169.254", 80));
  EXPECT_TRUE(Blocks(blocked, "127.0.0.1", 8089));
  EXPECT_TRUE(Blocks(blocked, "127.0.0.1", 8090));  // the exec server's
  EXPECT_TRUE(Blocks(blocked, "10.0.2.15", 8090));
  EXPECT_FALSE(Blocks(blocked, "10.0.2.3", 53));
}

TEST(ContainerNetworkFilterRules, RejectsAnAddressThatIsNeitherIpv4NorIpv6) {
  Result<ContainerNetworkFilter> filter =
      ContainerNetworkFilter::Attach("/nonexistent", {{"metadata.local", 0}});
  ASSERT_FALSE(filter.ok());
  EXPECT_NE(filter.status().message().find("metadata.local"), std::string::npos);
}

}  // namespace
}  // namespace i2kit
