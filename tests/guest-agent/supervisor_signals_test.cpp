// Signals reach the supervisor when it runs as PID 1 of a PID namespace (as in the Pod VM) with
// another thread running, as the name service's: the agent blocks them before that thread
// starts, so the kernel cannot hand them to a thread whose default disposition drops them.
#include <gtest/gtest.h>
#include <sched.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "guest-agent/supervisor.h"

namespace i2kit {
namespace {

// Containers played by `sleep`.
class SleepRuntime : public ContainerRuntime {
 public:
  Result<pid_t> Start(const std::string&, int out, int err) override {
    return SpawnProcess({"/bin/sleep", "60"}, -1, out, err);
  }
  void Cleanup(const std::string&) override {}
  std::vector<std::string> ExecArgv(const std::string&, const std::vector<std::string>&) override {
    return {"/bin/true"};
  }
};

// PID 1 of a new PID namespace: blocks the signals as main() does, starts a thread, tells
// `ready` once supervising and exits with 0 when the supervisor returned.
[[noreturn]] void RunPid1(int ready) {
  if (!BlockSupervisorSignals().ok()) ::_exit(3);
  std::atomic<bool> stop = false;
  // Spinning, it is the thread the kernel reaches first: a signal it does not block is its.
  std::thread other([&] {
    while (!stop.load(std::memory_order_relaxed)) {
    }
  });
  Deployment pod;
  pod.name = "pod";
  pod.termination_grace_period_seconds = 2;
  pod.containers.emplace_back().name = "main";
  SleepRuntime runtime;
  SupervisorOptions options;
  options.health_port = -1;
  options.console = [ready](LogLevel, const std::string& line) {
    if (line.find(" started pid=") != std::string::npos) (void)!::write(ready, "x", 1);
  };
  Supervisor supervisor(pod, 0, runtime, options);
  Status status = supervisor.Run();
  stop = true;
  other.join();
  ::_exit(status.ok() ? 0 : 4);
}

// Forks PID 1 of a new PID namespace running RunPid1; returns its pid as this namespace sees
// it, or -1 when namespaces cannot be made here. A raw clone, as fork() with CLONE_NEWPID: the
// child is this process's own, so it can be waited for.
pid_t StartPid1(int ready) {
  long pid = ::syscall(SYS_clone, CLONE_NEWPID | SIGCHLD, nullptr, nullptr, nullptr, nullptr);
  if (pid == 0) RunPid1(ready);
  return static_cast<pid_t>(pid);
}

// Waits up to `limit` for `pid` to exit; its exit code, or -1 when it is still running.
int WaitExit(pid_t pid, std::chrono::seconds limit) {
  auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    int status = 0;
    if (::waitpid(pid, &status, WNOHANG) == pid) return ExitCodeOf(status);
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return -1;
}

TEST(SupervisorSignalsTest, OneSigtermStopsPid1OfAPidNamespaceWithAnotherThreadRunning) {
  // Several rounds: a lost signal used to depend on which thread the kernel chose.
  for (int round = 0; round < 20; ++round) {
    int ready[2];
    ASSERT_EQ(::pipe(ready), 0);
    pid_t pid1 = StartPid1(ready[1]);
    ::close(ready[1]);
    if (pid1 < 0) {
      ::close(ready[0]);
      GTEST_SKIP() << "no PID namespace here (unshare needs CAP_SYS_ADMIN)";
    }
    char byte;
    ASSERT_EQ(::read(ready[0], &byte, 1), 1) << "the supervisor never started its container";
    ::close(ready[0]);
    ASSERT_EQ(::kill(pid1, SIGTERM), 0);
    int code = WaitExit(pid1, std::chrono::seconds(10));
    if (code < 0) {
      ::kill(pid1, SIGKILL);
      ::waitpid(pid1, nullptr, 0);
    }
    ASSERT_EQ(code, 0) << "round " << round
                       << ": one SIGTERM did not stop PID 1 (-1: still running)";
  }
}

}  // namespace
}  // namespace i2kit
