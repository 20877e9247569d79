// A QEMU process, owned through a pidfd. Either spawned here (an argv, no shell; a new session
// so a terminal's Ctrl-C reaches the CLI, not QEMU) or found again later by pid and start time,
// so that a pid the kernel has recycled for another process is never signalled. A spawned
// process still running when its handle dies is killed, unless it was Detach()ed (`run -d`).
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "common/unique_fd.h"

namespace i2kit {

struct SpawnOptions {
  std::vector<std::string> argv;  // argv[0] is looked up in PATH
  std::string working_dir;        // the child's cwd; empty: ours
  int output_fd = -1;             // the child's stdout and stderr; -1: /dev/null
  int inherited_fd = -1;          // handed to the child as fd 3 (a lock it holds while it lives)
};

class VmProcess {
 public:
  // Starts argv[0] with stdin on /dev/null, default signal dispositions and an empty signal
  // mask, every other descriptor closed. Fails naming the program and errno.
  static Result<VmProcess> Spawn(const SpawnOptions& options);
  // The running process `pid` if its start time is still `start_time`; else an error saying
  // it has exited (or its pid now belongs to another process).
  static Result<VmProcess> Attach(pid_t pid, uint64_t start_time);

  VmProcess(VmProcess&& other) noexcept;
  VmProcess& operator=(VmProcess&& other) = delete;
  VmProcess(const VmProcess&) = delete;
  VmProcess& operator=(const VmProcess&) = delete;
  ~VmProcess();

  pid_t pid() const { return pid_; }
  // Clock ticks after boot when it started (/proc/PID/stat field 22): with the pid, its identity.
  uint64_t start_time() const { return start_time_; }
  // Readable once the process has exited: for poll() loops.
  int pidfd() const { return pidfd_.get(); }

  // Waits up to `timeout` (zero: just looks) and says whether the process has exited.
  bool WaitForExit(std::chrono::milliseconds timeout);
  // The wait status of a spawned child once WaitForExit returned true; nullopt otherwise.
  std::optional<int> wait_status() const { return wait_status_; }
  // Sends `signal` through the pidfd; a process that has already exited is not an error.
  Status Signal(int signal);
  // Lets a spawned process outlive this handle.
  void Detach() { owned_ = false; }

 private:
  VmProcess(pid_t pid, uint64_t start_time, UniqueFd pidfd, bool child);

  pid_t pid_ = -1;
  uint64_t start_time_ = 0;
  UniqueFd pidfd_;
  bool child_ = false;  // ours to reap
  bool owned_ = false;  // killed when the handle dies
  bool exited_ = false;
  std::optional<int> wait_status_;
};

// Process `pid`'s start time from /proc/PID/stat; fails if there is no such process.
Result<uint64_t> ProcessStartTime(pid_t pid);

// "exited with status 1", "killed by SIGKILL": a wait status in words.
std::string DescribeWaitStatus(int status);

}  // namespace i2kit
