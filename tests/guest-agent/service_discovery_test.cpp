// Service discovery run on the host: a fake metadata service hands out a token and a
// directory; a DNS query for a directory name gets its virtual address, other names are
// relayed to the upstream resolver. (connect_redirect_test.cpp checks where connections go.)
#include "guest-agent/service_discovery.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <filesystem>
#include <mutex>
#include <thread>
#include <vector>

#include "common/service_directory.h"
#include "common/unique_fd.h"
#include "guest-agent/dns_message.h"

namespace i2kit {
namespace {

using std::chrono::milliseconds;

sockaddr_in Loopback(int port, uint32_t ip = INADDR_LOOPBACK) {
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<uint16_t>(port));
  a.sin_addr.s_addr = htonl(ip);
  return a;
}

int PortOf(int fd) {
  sockaddr_in a{};
  socklen_t size = sizeof a;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &size);
  return ntohs(a.sin_port);
}

UniqueFd Listen(int type) {
  UniqueFd fd(::socket(AF_INET, type | SOCK_CLOEXEC, 0));
  sockaddr_in a = Loopback(0);
  EXPECT_EQ(::bind(fd.get(), reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
  if (type == SOCK_STREAM) {
    EXPECT_EQ(::listen(fd.get(), 16), 0);
  }
  return fd;
}

// Serves HTTP requests one connection at a time until stopped: the token for PUT, the
// directory for GET with that token, 401 without it.
class FakeMetadata {
 public:
  explicit FakeMetadata(std::string directory) : listener_(Listen(SOCK_STREAM)) {
    thread_ = std::thread([this, directory] {
      while (!stop_) {
        pollfd p{listener_.get(), POLLIN, 0};
        if (::poll(&p, 1, 50) <= 0) continue;
        UniqueFd c(::accept4(listener_.get(), nullptr, nullptr, SOCK_CLOEXEC));
        std::string request;
        char chunk[2048];
        while (request.find("\r\n\r\n") == std::string::npos) {
          ssize_t n = ::recv(c.get(), chunk, sizeof chunk, 0);
          if (n <= 0) break;
          request.append(chunk, static_cast<size_t>(n));
        }
        std::string body, status = "200 OK";
        if (request.rfind("PUT /latest/api/token", 0) == 0) {
          body = "tok";
        } else if (request.find("X-aws-ec2-metadata-token: tok") == std::string::npos) {
          status = "401 Unauthorized";
        } else if (request.rfind("GET /latest/meta-data/instance-id", 0) == 0) {
          body = "i-local-web-0";
        } else if (request.rfind("GET /latest/meta-data/placement/region", 0) == 0) {
          body = "local";
        } else if (request.rfind("GET /i2kit/v1/services", 0) == 0) {
          body = directory;
          ++directory_requests;
        } else {
          status = "404 Not Found";
        }
        std::string response = "HTTP/1.0 " + status + "\r\n\r\n" + body;
        ::send(c.get(), response.data(), response.size(), MSG_NOSIGNAL);
      }
    });
  }
  ~FakeMetadata() {
    stop_ = true;
    thread_.join();
  }
  int port() const { return PortOf(listener_.get()); }
  std::atomic<int> directory_requests{0};

 private:
  UniqueFd listener_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

std::string Query(const std::string& label) {
  std::string q = {'\x00', '\x07', '\x01', '\x00', 0, 1, 0, 0, 0, 0, 0, 0};
  q += static_cast<char>(label.size());
  q += label;
  q += std::string{0, 0, 1, 0, 1};
  return q;
}

// Sends a query to the resolver at `port` and returns its answer (empty on timeout).
std::string Ask(int port, const std::string& query) {
  UniqueFd fd(::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  sockaddr_in a = Loopback(port);
  ::sendto(fd.get(), query.data(), query.size(), 0, reinterpret_cast<sockaddr*>(&a), sizeof a);
  pollfd p{fd.get(), POLLIN, 0};
  if (::poll(&p, 1, 3000) <= 0) return "";
  char answer[1500];
  ssize_t n = ::recv(fd.get(), answer, sizeof answer, 0);
  return n > 0 ? std::string(answer, static_cast<size_t>(n)) : "";
}

TEST(ServiceDiscoveryTest, VirtualAddressesAreStableLoopbackAddresses) {
  uint32_t web = VirtualAddressFor("web");
  EXPECT_EQ(web, VirtualAddressFor("web"));
  EXPECT_NE(web, VirtualAddressFor("api"));
  EXPECT_EQ(web >> 16, (127u << 8) | 77u);
  EXPECT_NE(web & 0xff, 0u);
  EXPECT_NE(web & 0xff, 255u);
}

TEST(ServiceDiscoveryTest, DirectoryNamesResolveAndOthersAreRelayed) {
  UniqueFd backend = Listen(SOCK_STREAM);
  ServiceDirectory directory;
  directory.entries = {{"web", {{18080, {PortOf(backend.get())}}}}};
  FakeMetadata metadata(DirectoryToJson(directory));
  UniqueFd upstream = Listen(SOCK_DGRAM);
  std::jthread resolver([&] {  // answers one relayed query with "relayed"
    char packet[512];
    sockaddr_in from{};
    socklen_t size = sizeof from;
    pollfd p{upstream.get(), POLLIN, 0};
    if (::poll(&p, 1, 5000) <= 0) return;
    ::recvfrom(upstream.get(), packet, sizeof packet, 0, reinterpret_cast<sockaddr*>(&from), &size);
    ::sendto(upstream.get(), "relayed", 7, 0, reinterpret_cast<sockaddr*>(&from), size);
  });

  DiscoveryOptions options;
  options.dns_address = "127.0.0.1";
  options.dns_port = 0;
  options.upstream_dns = "127.0.0.1";
  options.upstream_port = PortOf(upstream.get());
  options.metadata_address = "127.0.0.1";
  options.metadata_port = metadata.port();
  options.host_address = "127.0.0.1";
  options.refresh = milliseconds(200);
  std::vector<std::string> said;
  std::mutex said_lock;
  options.console = [&](const std::string& line) {
    std::lock_guard<std::mutex> hold(said_lock);
    said.push_back(line);
  };
  Result<std::unique_ptr<ServiceDiscovery>> discovery = ServiceDiscovery::Bind(options);
  ASSERT_TRUE(discovery.ok()) << discovery.status().message();
  (*discovery)->Start();
  for (int i = 0; i < 100 && metadata.directory_requests < 2; ++i) {
    std::this_thread::sleep_for(milliseconds(20));
  }
  ASSERT_GE(metadata.directory_requests.load(), 2);  // fetched again: the refresh runs
  {
    std::lock_guard<std::mutex> hold(said_lock);
    ASSERT_GE(said.size(), 2u);
    EXPECT_EQ(said[0], "i2kit-agent: instance i-local-web-0 in region local");
    EXPECT_EQ(said[1], "i2kit-agent: service directory: web (domain i2kit.local)");
  }
  int dns = (*discovery)->dns_port();

  std::string answer = Ask(dns, Query("web"));
  ASSERT_GE(answer.size(), 4u);
  uint32_t web = VirtualAddressFor("web");
  std::string expected = {static_cast<char>(web >> 24), static_cast<char>(web >> 16),
                          static_cast<char>(web >> 8), static_cast<char>(web)};
  EXPECT_EQ(answer.substr(answer.size() - 4), expected);
  EXPECT_EQ(Ask(dns, Query("elsewhere")), "relayed");
}

size_t OpenDescriptors() {
  size_t n = 0;
  for (const auto& entry : std::filesystem::directory_iterator("/proc/self/fd")) {
    (void)entry;
    ++n;
  }
  return n;
}

TEST(ServiceDiscoveryTest, AFloodOfQueriesToASilentUpstreamHoldsAtMostTheCapOfSockets) {
  UniqueFd upstream = Listen(SOCK_DGRAM);  // never answers
  DiscoveryOptions options;
  options.dns_address = "127.0.0.1";
  options.dns_port = 0;
  options.upstream_dns = "127.0.0.1";
  options.upstream_port = PortOf(upstream.get());
  Result<std::unique_ptr<ServiceDiscovery>> discovery = ServiceDiscovery::Bind(options);
  ASSERT_TRUE(discovery.ok()) << discovery.status().message();
  (*discovery)->Start();
  UniqueFd client(::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  size_t before = OpenDescriptors();
  sockaddr_in resolver = Loopback((*discovery)->dns_port());
  size_t most = before;
  for (int i = 0; i < 5000; ++i) {
    std::string q = Query("flood" + std::to_string(i));
    ::sendto(client.get(), q.data(), q.size(), 0, reinterpret_cast<sockaddr*>(&resolver),
             sizeof resolver);
    if (i % 50 == 0) {
      std::this_thread::sleep_for(milliseconds(1));  // let the relay keep up, as a flood from
      most = std::max(most, OpenDescriptors());      // a container would (UDP drops the rest)
    }
  }
  std::this_thread::sleep_for(milliseconds(200));
  most = std::max(most, OpenDescriptors());
  EXPECT_LE(most, before + kMaxDnsForwards);
  EXPECT_GE(most, before + kMaxDnsForwards / 2);  // the flood did reach the relay

  // Still relaying: a new query reaches the upstream.
  char drain[512];
  while (::recv(upstream.get(), drain, sizeof drain, MSG_DONTWAIT) > 0) {
  }
  std::string q = Query("after");
  ::sendto(client.get(), q.data(), q.size(), 0, reinterpret_cast<sockaddr*>(&resolver),
           sizeof resolver);
  pollfd p{upstream.get(), POLLIN, 0};
  bool seen = false;
  while (!seen && ::poll(&p, 1, 2000) > 0) {
    ssize_t n = ::recv(upstream.get(), drain, sizeof drain, 0);
    seen = n > 0 && std::string(drain, static_cast<size_t>(n)).find("after") != std::string::npos;
  }
  EXPECT_TRUE(seen);
}

}  // namespace
}  // namespace i2kit
