// A network probe's child: it reads what a container answers, so it holds nothing of the
// agent's (no descriptor, no capability, not root) by the time it connects.
#include "guest-agent/probe_check.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <string>
#include <vector>

#include "common/text_file.h"
#include "common/unique_fd.h"
#include "guest-agent/container_runtime.h"

namespace i2kit {
namespace {

std::vector<int> OpenDescriptors(pid_t pid) {
  std::vector<int> fds;
  std::string path = "/proc/" + std::to_string(pid) + "/fd";
  if (DIR* dir = ::opendir(path.c_str())) {
    while (const dirent* entry = ::readdir(dir)) {
      if (entry->d_name[0] != '.') fds.push_back(std::stoi(entry->d_name));
    }
    ::closedir(dir);
  }
  std::sort(fds.begin(), fds.end());
  return fds;
}

TEST(ProbeCheckTest, HttpProbeChildIsNotRootAndHoldsNoAgentDescriptor) {
  if (::geteuid() != 0) GTEST_SKIP() << "dropping to the probe's ids needs root";
  UniqueFd listener(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(listener.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  ASSERT_EQ(::listen(listener.get(), 1), 0);
  socklen_t len = sizeof addr;
  ::getsockname(listener.get(), reinterpret_cast<sockaddr*>(&addr), &len);
  int leaked[2];  // a descriptor of the agent's without close-on-exec
  ASSERT_EQ(::pipe(leaked), 0);

  Probe probe;
  probe.action = ProbeAction::kHttpGet;
  probe.path = "/";
  probe.port = ntohs(addr.sin_port);
  probe.timeout_seconds = 10;
  pid_t child = StartNetworkProbe(probe);
  ASSERT_GT(child, 0);
  UniqueFd connection(::accept4(listener.get(), nullptr, nullptr, SOCK_CLOEXEC));
  ASSERT_TRUE(connection.valid());
  std::string status = ReadTextFile("/proc/" + std::to_string(child) + "/status");
  std::vector<int> fds = OpenDescriptors(child);
  std::string answer = "HTTP/1.0 200 OK\r\n\r\n";
  (void)!::write(connection.get(), answer.data(), answer.size());
  connection.reset();
  int wait_status = 0;
  ASSERT_EQ(::waitpid(child, &wait_status, 0), child);
  ::close(leaked[0]);
  ::close(leaked[1]);

  std::string uid = std::to_string(kProbeIdentity.uid);
  EXPECT_NE(status.find("Uid:\t" + uid + "\t" + uid), std::string::npos) << status;
  EXPECT_NE(status.find("CapEff:\t0000000000000000"), std::string::npos) << status;
  EXPECT_NE(status.find("NoNewPrivs:\t1"), std::string::npos) << status;
  // 0, 1, 2 and its own socket only.
  ASSERT_EQ(fds.size(), 4u);
  EXPECT_EQ(fds[2], 2);
  EXPECT_EQ(ExitCodeOf(wait_status), 0);  // and the probe still works
}

}  // namespace
}  // namespace i2kit
