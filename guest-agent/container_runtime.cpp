#include "guest-agent/container_runtime.h"

#include <dirent.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/close_range.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>

#include "common/sys_error.h"
#include "common/text_file.h"

namespace i2kit {

int ExitCodeOf(int wait_status) {
  if (WIFEXITED(wait_status)) return WEXITSTATUS(wait_status);
  if (WIFSIGNALED(wait_status)) return 128 + WTERMSIG(wait_status);
  return 255;
}

bool DropToIdentity(const ProcessIdentity& identity) {
  // Groups first, then the uid: once it is not 0 the capabilities to change ids are gone.
  return ::setgroups(0, nullptr) == 0 &&
         ::setresgid(identity.gid, identity.gid, identity.gid) == 0 &&
         ::setresuid(identity.uid, identity.uid, identity.uid) == 0 &&
         ::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == 0;
}

void KillProcessTree(pid_t pid, const std::string& proc) {
  // Parent pids from /proc/PID/stat: "PID (COMM) STATE PPID …", COMM may hold spaces and ')'.
  std::multimap<pid_t, pid_t> children;
  if (DIR* dir = ::opendir(proc.c_str())) {
    while (const dirent* entry = ::readdir(dir)) {
      pid_t child = static_cast<pid_t>(std::atoi(entry->d_name));
      if (child <= 0) continue;
      std::string stat = ReadTextFile(proc + "/" + entry->d_name + "/stat");
      size_t end = stat.rfind(')');
      int parent = 0;
      if (end != std::string::npos && std::sscanf(stat.c_str() + end + 1, " %*c %d", &parent) == 1)
        children.emplace(parent, child);
    }
    ::closedir(dir);
  }
  std::vector<pid_t> order = {pid};  // breadth first
  for (size_t i = 0; i < order.size(); ++i) {
    auto [first, last] = children.equal_range(order[i]);
    for (auto it = first; it != last; ++it) order.push_back(it->second);
  }
  // Parents first, so that none starts another child; the pids were found before any died.
  for (pid_t p : order) ::kill(p, SIGKILL);
}

Result<pid_t> SpawnProcess(const std::vector<std::string>& argv, int stdin_fd, int stdout_fd,
                           int stderr_fd, const std::optional<ProcessIdentity>& identity) {
  if (argv.empty()) return Status::Error("spawn: empty command");
  std::vector<char*> args;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = ::fork();
  if (pid < 0) return SysError("fork");
  if (pid == 0) {
    // In the child only async-signal-safe calls until exec.
    int null_fd = ::open("/dev/null", O_RDWR);
    int fds[3] = {stdin_fd, stdout_fd, stderr_fd};
    for (int i = 0; i < 3; ++i) ::dup2(fds[i] >= 0 ? fds[i] : null_fd, i);
    // Nothing of the agent's leaks into a container: no fd, no blocked signal.
    ::syscall(SYS_close_range, 3, UINT_MAX, 0);
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    for (int sig = 1; sig < NSIG; ++sig) ::signal(sig, SIG_DFL);
    if (identity && !DropToIdentity(*identity)) ::_exit(126);
    ::execv(args[0], args.data());
    ::_exit(127);
  }
  return pid;
}

Result<int> RunProcess(const std::vector<std::string>& argv, int stdout_fd, int stderr_fd) {
  Result<pid_t> pid = SpawnProcess(argv, -1, stdout_fd, stderr_fd);
  if (!pid.ok()) return pid.status();
  int status = 0;
  while (::waitpid(*pid, &status, 0) < 0) {
    if (errno != EINTR) return SysError("waitpid");
  }
  return ExitCodeOf(status);
}

}  // namespace i2kit
