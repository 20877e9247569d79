// The QEMU process handle, exercised with ordinary programs: spawn without a shell, identity by
// pid and start time, the inherited alive lock, and stopping without QMP.
#include "local-vm/vm_process.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "common/event_log.h"
#include "local-vm/state_dir.h"
#include "local-vm/vm_stop.h"

namespace i2kit {
namespace {

using std::chrono::milliseconds;

VmProcess SpawnSleep() {
  Result<VmProcess> p = VmProcess::Spawn({{"sleep", "30"}, "", -1, -1});
  EXPECT_TRUE(p.ok()) << p.status().message();
  return std::move(p).value();
}

TEST(QemuProcessTest, SpawnFailureNamesTheProgramAndErrno) {
  Result<VmProcess> p = VmProcess::Spawn({{"/nonexistent/qemu"}, "", -1, -1});
  ASSERT_FALSE(p.ok());
  EXPECT_NE(p.status().message().find("/nonexistent/qemu"), std::string::npos);
  EXPECT_NE(p.status().message().find("ENOENT"), std::string::npos);
}

TEST(QemuProcessTest, ArgumentsReachTheProgramUnparsed) {
  std::string out =
      std::filesystem::temp_directory_path() / ("i2kit-spawn-" + std::to_string(::getpid()));
  UniqueFd fd(::open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
  ASSERT_TRUE(fd.valid());
  Result<VmProcess> p = VmProcess::Spawn({{"echo", "a b", "$HOME;x"}, "", fd.get(), -1});
  ASSERT_TRUE(p.ok());
  ASSERT_TRUE(p.value().WaitForExit(milliseconds(5000)));
  EXPECT_EQ(p->wait_status(), 0);
  std::ifstream in(out);
  std::string line;
  std::getline(in, line);
  EXPECT_EQ(line, "a b $HOME;x");
  std::filesystem::remove(out);
}

TEST(QemuProcessTest, AttachFindsTheProcessByPidAndStartTime) {
  VmProcess child = SpawnSleep();
  Result<VmProcess> again = VmProcess::Attach(child.pid(), child.start_time());
  ASSERT_TRUE(again.ok()) << again.status().message();
  EXPECT_FALSE(again.value().WaitForExit(milliseconds(0)));
  ASSERT_TRUE(again.value().Signal(SIGKILL).ok());
  EXPECT_TRUE(again.value().WaitForExit(milliseconds(5000)));
}

TEST(QemuProcessTest, AttachRefusesAPidWhoseStartTimeDiffers) {
  VmProcess child = SpawnSleep();
  Result<VmProcess> other = VmProcess::Attach(child.pid(), child.start_time() + 1);
  ASSERT_FALSE(other.ok());
  EXPECT_NE(other.status().message().find("another process"), std::string::npos);
}

TEST(QemuProcessTest, AttachToAnExitedProcessFails) {
  pid_t pid;
  uint64_t start;
  {
    VmProcess child = SpawnSleep();
    pid = child.pid();
    start = child.start_time();
  }  // killed and reaped
  EXPECT_FALSE(VmProcess::Attach(pid, start).ok());
}

TEST(QemuProcessTest, DroppingAnOwnedProcessKillsItButADetachedOneLives) {
  pid_t killed;
  {
    VmProcess child = SpawnSleep();
    killed = child.pid();
  }
  EXPECT_FALSE(ProcessStartTime(killed).ok());

  VmProcess detached = SpawnSleep();
  pid_t pid = detached.pid();
  uint64_t start = detached.start_time();
  detached.Detach();
  { VmProcess moved = std::move(detached); }
  Result<VmProcess> still = VmProcess::Attach(pid, start);
  ASSERT_TRUE(still.ok());
  ASSERT_TRUE(still.value().Signal(SIGKILL).ok());
  ::waitpid(pid, nullptr, 0);
}

TEST(QemuProcessTest, InheritedLockIsHeldExactlyAsLongAsTheChildLives) {
  std::string path =
      std::filesystem::temp_directory_path() / ("i2kit-alive-" + std::to_string(::getpid()));
  VmProcess child = [&] {
    UniqueFd lock(::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600));
    EXPECT_EQ(::flock(lock.get(), LOCK_EX), 0);
    Result<VmProcess> p = VmProcess::Spawn({{"sleep", "30"}, "", -1, lock.get()});
    EXPECT_TRUE(p.ok());
    return std::move(p).value();
  }();  // our copy of the lock is closed here
  EXPECT_TRUE(IsLockHeld(path));
  ASSERT_TRUE(child.Signal(SIGKILL).ok());
  ASSERT_TRUE(child.WaitForExit(milliseconds(5000)));
  EXPECT_FALSE(IsLockHeld(path));
  std::filesystem::remove(path);
}

TEST(QemuStopTest, WithoutQmpTheProcessGetsSigtermAndIsReportedQuit) {
  VmProcess child = SpawnSleep();
  std::ostringstream out;
  EventLog log(out, false);
  StopTimings timings;
  timings.grace = milliseconds(100);
  timings.quit_wait = milliseconds(5000);
  Result<StopOutcome> outcome = StopVm(child, "/nonexistent/qmp.sock", timings, "web/0", log);
  ASSERT_TRUE(outcome.ok()) << outcome.status().message();
  EXPECT_EQ(*outcome, StopOutcome::kQuit);
  EXPECT_NE(out.str().find("web/0 power button unavailable"), std::string::npos) << out.str();
}

TEST(QemuStopTest, AnExitedProcessNeedsNoStopping) {
  Result<VmProcess> p = VmProcess::Spawn({{"true"}, "", -1, -1});
  ASSERT_TRUE(p.ok());
  ASSERT_TRUE(p.value().WaitForExit(milliseconds(5000)));
  std::ostringstream out;
  EventLog log(out, false);
  EXPECT_EQ(StopVm(p.value(), "/nonexistent", StopTimings{}, "web/0", log).value(),
            StopOutcome::kAlreadyExited);
}

TEST(QemuStopTest, GraceIsThePodsPeriodPlusTimeToPowerOff) {
  EXPECT_EQ(StopGrace(30), milliseconds(35000));
  EXPECT_EQ(StopGrace(0), milliseconds(5000));
}

}  // namespace
}  // namespace i2kit
