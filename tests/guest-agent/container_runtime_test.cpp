// Process helpers of the agent: killing a probe's whole process tree, dropping to a helper's
// identity.
#include "guest-agent/container_runtime.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <string>
#include <thread>

#include "common/text_file.h"

namespace i2kit {
namespace {

// True once `pid` is gone or a zombie (killed, waiting for whoever reaps it).
bool Dead(pid_t pid) {
  for (int i = 0; i < 200; ++i) {
    std::string stat = ReadTextFile("/proc/" + std::to_string(pid) + "/stat");
    size_t end = stat.rfind(')');
    if (end == std::string::npos || stat.compare(end, 4, ") Z ") == 0) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return false;
}

TEST(ContainerRuntimeTest, KillProcessTreeKillsTheGrandchildrenAProbeLeftRunning) {
  int out[2];
  ASSERT_EQ(::pipe(out), 0);
  // A shell standing in for `runc exec`, with a child and a grandchild of its own.
  Result<pid_t> shell = SpawnProcess(
      {"/bin/sh", "-c", "sh -c 'sleep 300 & echo $!; wait' & sleep 300 & echo $!; wait"}, -1,
      out[1], -1);
  ::close(out[1]);
  ASSERT_TRUE(shell.ok()) << shell.status().message();
  std::string text;
  char buffer[64];
  ssize_t n;
  while (std::count(text.begin(), text.end(), '\n') < 2 &&
         (n = ::read(out[0], buffer, sizeof buffer)) > 0) {
    text.append(buffer, static_cast<size_t>(n));
  }
  ::close(out[0]);
  pid_t first = std::stoi(text), second = std::stoi(text.substr(text.find('\n') + 1));
  KillProcessTree(*shell);
  int status = 0;
  ASSERT_EQ(::waitpid(*shell, &status, 0), *shell);
  EXPECT_EQ(ExitCodeOf(status), 128 + SIGKILL);
  EXPECT_TRUE(Dead(first)) << first;
  EXPECT_TRUE(Dead(second)) << second;
}

TEST(ContainerRuntimeTest, HelpersRunAsIdsNoContainerCanHave) {
  // Kubernetes and runc allow container ids up to 2^31 - 1.
  EXPECT_GT(kEc2ReporterIdentity.uid, 2147483647u);
  EXPECT_GT(kProbeIdentity.uid, 2147483647u);
  EXPECT_NE(kEc2ReporterIdentity.uid, kProbeIdentity.uid);
}

TEST(ContainerRuntimeTest, DropToIdentityLeavesNoCapability) {
  if (::geteuid() != 0) GTEST_SKIP() << "changing ids needs root";
  pid_t pid = ::fork();
  if (pid == 0) {
    if (!DropToIdentity(kProbeIdentity)) ::_exit(1);
    std::string status = ReadTextFile("/proc/self/status");
    bool ok = ::getuid() == kProbeIdentity.uid && ::getgid() == kProbeIdentity.gid &&
              status.find("CapEff:\t0000000000000000") != std::string::npos &&
              status.find("NoNewPrivs:\t1") != std::string::npos && ::setuid(0) != 0;
    ::_exit(ok ? 0 : 2);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  EXPECT_EQ(ExitCodeOf(status), 0);
}

}  // namespace
}  // namespace i2kit
