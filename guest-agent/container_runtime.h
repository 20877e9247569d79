// How the supervisor starts and cleans up a container. The agent uses runc (runc_runtime.h);
// tests use plain processes, so that supervision is tested on any host without root.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

#include "common/status.h"

namespace i2kit {

class ContainerRuntime {
 public:
  virtual ~ContainerRuntime() = default;
  // Starts container `name` with its output on `stdout_fd`/`stderr_fd`; returns the pid of its
  // main process, a child (or reparented child) of the agent that the agent must reap.
  virtual Result<pid_t> Start(const std::string& name, int stdout_fd, int stderr_fd) = 0;
  // Releases what the runtime holds for `name` after its main process was reaped.
  virtual void Cleanup(const std::string& name) = 0;
  // The command line that runs `command` inside the running container (exec probes).
  virtual std::vector<std::string> ExecArgv(const std::string& name,
                                            const std::vector<std::string>& command) = 0;
};

// Who a spawned process runs as, when not as the agent: no supplementary groups, these ids
// (which leave it no capabilities) and no_new_privs.
struct ProcessIdentity {
  uid_t uid = 65534;  // nobody
  gid_t gid = 65534;  // nogroup
};

// The agent's own helpers run as ids of their own, above the 2^31 - 1 that Kubernetes and runc
// allow a container, so that no container shares them: RLIMIT_NPROC counts processes per uid,
// and a process may signal another of its uid.
inline constexpr ProcessIdentity kEc2ReporterIdentity{2147483648u, 2147483648u};
inline constexpr ProcessIdentity kProbeIdentity{2147483649u, 2147483649u};

// Drops the calling process to `identity`: no supplementary groups, its gid and uid (which
// clears every capability) and no_new_privs. Async-signal-safe, for a child between fork and
// exec. False when a call failed.
bool DropToIdentity(const ProcessIdentity& identity);

// SIGKILLs `pid` and every process below it, found by their parent pids in `proc` before any
// is killed: a probe's `runc exec` and the process it started in the container, which killing
// `runc exec` alone would leave running.
void KillProcessTree(pid_t pid, const std::string& proc = "/proc");

// Forks and execs `argv` (argv[0] a path) with the given stdin/stdout/stderr (-1 = /dev/null),
// every other descriptor closed and the signal mask cleared; returns the child's pid. With
// `identity`, the child drops to it before exec (exit code 126 when it cannot).
Result<pid_t> SpawnProcess(const std::vector<std::string>& argv, int stdin_fd, int stdout_fd,
                           int stderr_fd, const std::optional<ProcessIdentity>& identity = {});

// Runs `argv` to completion, blocking; returns its exit code (128 + signal when killed).
Result<int> RunProcess(const std::vector<std::string>& argv, int stdout_fd = -1,
                       int stderr_fd = -1);

// The exit code a shell would report for a wait status: the code, or 128 + the signal.
int ExitCodeOf(int wait_status);

}  // namespace i2kit
