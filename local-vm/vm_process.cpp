#include "local-vm/vm_process.h"

#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include <csignal>
#include <cstring>
#include <fstream>
#include <sstream>

#include "common/sys_error.h"

extern char** environ;

namespace i2kit {
namespace {

// posix_spawn's attribute and file-action objects, destroyed on every path.
struct SpawnAttributes {
  posix_spawnattr_t attr;
  posix_spawn_file_actions_t actions;
  SpawnAttributes() {
    posix_spawnattr_init(&attr);
    posix_spawn_file_actions_init(&actions);
  }
  ~SpawnAttributes() {
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attr);
  }
  SpawnAttributes(const SpawnAttributes&) = delete;
  SpawnAttributes& operator=(const SpawnAttributes&) = delete;
};

// posix_spawn reports errors as return values, not in errno.
Status Check(int error, const char* call, const std::string& subject) {
  return error == 0 ? Status::Ok() : SysError(call, subject, error);
}

Status PrepareSpawn(const SpawnOptions& options, SpawnAttributes& s) {
  const std::string& program = options.argv.front();
  // A new session: the terminal's Ctrl-C goes to the CLI, which then stops the VM cleanly.
  // The CLI blocks the signals it waits for; the child must start with none blocked.
  sigset_t none, all;
  sigemptyset(&none);
  sigfillset(&all);
  Status status =
      Check(posix_spawnattr_setflags(
                &s.attr, POSIX_SPAWN_SETSID | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF),
            "posix_spawnattr_setflags", program);
  if (status.ok()) {
    status =
        Check(posix_spawnattr_setsigmask(&s.attr, &none), "posix_spawnattr_setsigmask", program);
  }
  if (status.ok()) {
    status = Check(posix_spawnattr_setsigdefault(&s.attr, &all), "posix_spawnattr_setsigdefault",
                   program);
  }
  posix_spawn_file_actions_t* a = &s.actions;
  if (status.ok()) {
    status = Check(posix_spawn_file_actions_addopen(a, 0, "/dev/null", O_RDONLY, 0),
                   "posix_spawn_file_actions_addopen", "/dev/null");
  }
  if (status.ok() && options.output_fd >= 0) {
    status = Check(posix_spawn_file_actions_adddup2(a, options.output_fd, 1),
                   "posix_spawn_file_actions_adddup2", program);
  } else if (status.ok()) {
    status = Check(posix_spawn_file_actions_addopen(a, 1, "/dev/null", O_WRONLY, 0),
                   "posix_spawn_file_actions_addopen", "/dev/null");
  }
  if (status.ok()) {
    status = Check(posix_spawn_file_actions_adddup2(a, 1, 2), "posix_spawn_file_actions_adddup2",
                   program);
  }
  int first_closed = 3;
  if (status.ok() && options.inherited_fd >= 0) {
    status = Check(posix_spawn_file_actions_adddup2(a, options.inherited_fd, 3),
                   "posix_spawn_file_actions_adddup2", program);
    first_closed = 4;
  }
  if (status.ok()) {
    status = Check(posix_spawn_file_actions_addclosefrom_np(a, first_closed),
                   "posix_spawn_file_actions_addclosefrom_np", program);
  }
  if (status.ok() && !options.working_dir.empty()) {
    status = Check(posix_spawn_file_actions_addchdir_np(a, options.working_dir.c_str()),
                   "posix_spawn_file_actions_addchdir_np", options.working_dir);
  }
  return status;
}

// glibc 2.36's <sys/pidfd.h> lacks extern "C", so C++ cannot link against it: call the
// kernel directly (Linux 5.3+).
int PidfdOpen(pid_t pid) {
  return static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
}
int PidfdSendSignal(int pidfd, int signal) {
  return static_cast<int>(::syscall(SYS_pidfd_send_signal, pidfd, signal, nullptr, 0));
}

const char* SignalName(int signal) {
  const char* name = sigabbrev_np(signal);
  return name != nullptr ? name : "?";
}

}  // namespace

Result<uint64_t> ProcessStartTime(pid_t pid) {
  std::string path = "/proc/" + std::to_string(pid) + "/stat";
  std::ifstream in(path);
  std::string text;
  if (!in || !std::getline(in, text)) return SysError("open", path, ESRCH);
  // The command name (field 2) may hold spaces and parentheses: fields are counted after the
  // last ')'. Field 3 (state) comes first there; the start time is field 22.
  size_t paren = text.rfind(')');
  if (paren == std::string::npos) return Status::Error(path + ": unexpected format");
  std::istringstream fields(text.substr(paren + 1));
  std::string field;
  for (int i = 3; i < 22 && fields >> field; ++i) {
  }
  uint64_t start_time = 0;
  if (!(fields >> start_time)) return Status::Error(path + ": no start time field");
  return start_time;
}

std::string DescribeWaitStatus(int status) {
  if (WIFEXITED(status)) return "exited with status " + std::to_string(WEXITSTATUS(status));
  if (WIFSIGNALED(status)) return std::string("killed by SIG") + SignalName(WTERMSIG(status));
  return "ended with wait status " + std::to_string(status);
}

Result<VmProcess> VmProcess::Spawn(const SpawnOptions& options) {
  if (options.argv.empty()) return Status::Error("spawn: empty argv");
  SpawnAttributes s;
  if (Status status = PrepareSpawn(options, s); !status.ok()) return status;
  std::vector<char*> argv;
  for (const std::string& arg : options.argv) argv.push_back(const_cast<char*>(arg.c_str()));
  argv.push_back(nullptr);
  pid_t pid = -1;
  int error = posix_spawnp(&pid, argv[0], &s.actions, &s.attr, argv.data(), environ);
  if (error != 0) return SysError("posix_spawnp", options.argv.front(), error);
  // Our unreaped child: its pid cannot be reused yet, so this pidfd is surely the child's.
  UniqueFd pidfd(PidfdOpen(pid));
  if (!pidfd.valid()) {
    Status failure = SysError("pidfd_open", std::to_string(pid));
    ::kill(pid, SIGKILL);
    ::waitpid(pid, nullptr, 0);
    return failure;
  }
  VmProcess process(pid, 0, std::move(pidfd), /*child=*/true);
  process.owned_ = true;  // from here on, a failure kills it
  Result<uint64_t> start_time = ProcessStartTime(pid);
  if (!start_time.ok()) return start_time.status();
  process.start_time_ = *start_time;
  return process;
}

Result<VmProcess> VmProcess::Attach(pid_t pid, uint64_t start_time) {
  std::string what = "process " + std::to_string(pid);
  if (pid <= 1) return Status::Error(what + ": not a VM process id");
  UniqueFd pidfd(PidfdOpen(pid));
  if (!pidfd.valid()) {
    if (errno == ESRCH) return Status::Error(what + " has exited");
    return SysError("pidfd_open", std::to_string(pid));
  }
  // Checked after the pidfd is open: if the start time still matches, the pidfd holds the
  // very process recorded, not a newer one that inherited the pid.
  Result<uint64_t> actual = ProcessStartTime(pid);
  if (!actual.ok()) return Status::Error(what + " has exited");
  if (*actual != start_time) {
    return Status::Error(what + " has exited (the pid now belongs to another process)");
  }
  return VmProcess(pid, start_time, std::move(pidfd), /*child=*/false);
}

VmProcess::VmProcess(pid_t pid, uint64_t start_time, UniqueFd pidfd, bool child)
    : pid_(pid), start_time_(start_time), pidfd_(std::move(pidfd)), child_(child) {}

VmProcess::VmProcess(VmProcess&& other) noexcept
    : pid_(std::exchange(other.pid_, -1)),
      start_time_(other.start_time_),
      pidfd_(std::move(other.pidfd_)),
      child_(std::exchange(other.child_, false)),
      owned_(std::exchange(other.owned_, false)),
      exited_(other.exited_),
      wait_status_(other.wait_status_) {}

VmProcess::~VmProcess() {
  if (pid_ <= 0 || exited_) return;
  if (owned_) {
    (void)Signal(SIGKILL);
    WaitForExit(std::chrono::seconds(5));
  }
}

bool VmProcess::WaitForExit(std::chrono::milliseconds timeout) {
  if (exited_) return true;
  if (!pidfd_.valid()) return true;
  auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    pollfd p{pidfd_.get(), POLLIN, 0};
    int ready = ::poll(&p, 1, static_cast<int>(std::max<int64_t>(0, left.count())));
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0) return false;
    break;
  }
  exited_ = true;
  if (child_) {
    int status = 0;
    if (::waitpid(pid_, &status, 0) == pid_) wait_status_ = status;
  }
  return true;
}

Status VmProcess::Signal(int signal) {
  if (exited_) return Status::Ok();
  if (PidfdSendSignal(pidfd_.get(), signal) != 0 && errno != ESRCH) {
    return SysError(std::string("pidfd_send_signal(SIG") + SignalName(signal) + ")",
                    std::to_string(pid_));
  }
  return Status::Ok();
}

}  // namespace i2kit
