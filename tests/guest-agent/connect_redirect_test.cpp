// The connect() redirect, for real: attached to a cgroup of its own (root and a cgroup2
// hierarchy needed, else skipped: hosts with cgroup v1 only rely on the service-discovery VM
// test), a process in that cgroup connecting to a virtual address reaches the backend; one
// outside it, or to an address not in the table, does not.
#include "guest-agent/connect_redirect.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <linux/magic.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <string>

#include "common/unique_fd.h"

namespace i2kit {
namespace {

constexpr uint32_t kVirtual = (127u << 24) | (77u << 16) | (9 << 8) | 9;  // 127.77.9.9

// A cgroup2 directory for this test, removed at the end; empty if none can be made.
class TestCgroup {
 public:
  TestCgroup() {
    for (const char* root : {"/sys/fs/cgroup", "/sys/fs/cgroup/unified"}) {
      struct statfs fs {};
      if (::statfs(root, &fs) != 0 || fs.f_type != CGROUP2_SUPER_MAGIC) continue;
      std::string path = std::string(root) + "/i2kit-connect-redirect-" + std::to_string(::getpid());
      if (::geteuid() == 0 && ::mkdir(path.c_str(), 0755) == 0) path_ = path;
      return;
    }
  }
  ~TestCgroup() {
    if (!path_.empty()) ::rmdir(path_.c_str());
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// In a child process moved into `cgroup` (if not empty): connect to 127.77.9.9:`port`, send
// "ping". Returns whether that worked.
bool ConnectFromChild(const std::string& cgroup, int port) {
  pid_t child = ::fork();
  if (child == 0) {
    if (!cgroup.empty()) std::ofstream(cgroup + "/cgroup.procs") << ::getpid() << "\n";
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(static_cast<uint16_t>(port));
    a.sin_addr.s_addr = htonl(kVirtual);
    bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0 &&
              ::send(fd, "ping", 4, 0) == 4;
    ::_exit(ok ? 0 : 1);
  }
  int status = 0;
  ::waitpid(child, &status, 0);
  return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

TEST(ConnectRedirectTest, ConnectsToAVirtualAddressReachTheBackendInsideTheCgroupOnly) {
  TestCgroup cgroup;
  if (cgroup.path().empty()) GTEST_SKIP() << "needs root and a writable cgroup2 hierarchy";
  UniqueFd backend(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(backend.get(), reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
  ASSERT_EQ(::listen(backend.get(), 4), 0);
  socklen_t size = sizeof a;
  ::getsockname(backend.get(), reinterpret_cast<sockaddr*>(&a), &size);
  uint16_t backend_port = ntohs(a.sin_port);

  {
    Result<ConnectRedirect> redirect = ConnectRedirect::Attach(cgroup.path());
    ASSERT_TRUE(redirect.ok()) << redirect.status().message();
    ASSERT_TRUE(redirect.value().Set({{{kVirtual, 18080}, {INADDR_LOOPBACK, backend_port}}}).ok());

    EXPECT_TRUE(ConnectFromChild(cgroup.path(), 18080));
    UniqueFd served(::accept4(backend.get(), nullptr, nullptr, SOCK_CLOEXEC));
    ASSERT_TRUE(served.valid());
    char buffer[4];
    ASSERT_EQ(::recv(served.get(), buffer, sizeof buffer, MSG_WAITALL), 4);
    EXPECT_EQ(std::string(buffer, 4), "ping");

    EXPECT_FALSE(ConnectFromChild(cgroup.path(), 18081));  // not in the table: refused
    EXPECT_FALSE(ConnectFromChild("", 18080));             // outside the cgroup: untouched

    ASSERT_TRUE(redirect.value().Set({}).ok());  // removed from the table
    EXPECT_FALSE(ConnectFromChild(cgroup.path(), 18080));
  }
  // Detached with the object: the cgroup is empty again and can go.
}

}  // namespace
}  // namespace i2kit
