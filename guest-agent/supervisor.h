// The agent's one loop (tini's shape, Kubernetes' rules): starts the Pod's containers, reaps
// every child, restarts containers with CrashLoopBackOff, runs their probes, serves the health
// endpoint, collects their output, and on a shutdown request stops them in reverse order —
// SIGTERM, then SIGKILL after the grace period. Single-threaded, driven by poll(); nothing in
// it blocks for long, so a slow probe or client never stalls supervision.
#pragma once

#include <signal.h>

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "common/async_console_log.h"
#include "common/pod_model.h"
#include "common/unique_fd.h"
#include "guest-agent/container_runtime.h"
#include "guest-agent/log_buffer.h"
#include "guest-agent/pod_status.h"

namespace i2kit {

// A program of the agent's own that runs beside the containers (the EC2 reporter): started
// once the loop runs, restarted with the containers' back-off when it fails, left alone once
// it exits 0 (it had nothing to do), and stopped with SIGTERM first at shutdown. A failure
// of it never touches the Pod.
struct AuxiliaryProcess {
  std::string name;
  // Starts it (fork + exec, with whatever confinement it needs) and returns its pid.
  std::function<Result<pid_t>()> start;
};

struct SupervisorOptions {
  int health_port = 8089;  // 0 = any free port (tests), -1 = no health endpoint
  std::string health_address = "0.0.0.0";
  std::string meminfo_path = "/proc/meminfo";
  std::string proc_status_path = "/proc/self/status";  // the agent's own confinement
  std::string proc_stat_path = "/proc/stat";           // the guest's CPU time
  // Called for every line of container output ("web: …", kInfo) and every agent event
  // ("i2kit-agent: …"), for the console; it must not block (common/async_console_log.h). The
  // agent's events also go to the log buffer, as the lines of source "i2kit-agent", a name no
  // container can take (manifest checks), so the EC2 reporter ships them too.
  std::function<void(LogLevel, const std::string&)> console;
  // Each container's output, stdout and stderr together, is taken in at most this fast
  // (line_rate_limit.h); what is over is counted and said once a second.
  double lines_per_second = 200;
  double line_burst = 1000;
  // Devices whose KEY_POWER press requests the shutdown (power_button.h); not owned.
  std::vector<int> power_buttons;
  std::vector<AuxiliaryProcess> auxiliaries;
  // Boot-timeline marks taken before supervision began, after "init" (pod_vm::kPhaseBootIdentity).
  std::vector<BootMark> earlier_marks;
};

// SIGCHLD, SIGTERM, SIGINT and SIGPWR: what the supervisor reads through its signalfd.
sigset_t SupervisorSignals();

// Blocks SupervisorSignals() in the calling thread. Call it before any other thread exists: a
// signal sent to the process goes to some thread that does not block it, and in PID 1 a thread
// with no handler for it drops it (init's signals without a handler are ignored), so a thread
// started unblocked (the name service) would swallow SIGTERM, SIGINT (Ctrl-Alt-Del), SIGPWR.
Status BlockSupervisorSignals();

class Supervisor {
 public:
  // `deployment` must outlive the supervisor.
  Supervisor(const Deployment& deployment, int replica, ContainerRuntime& runtime,
             SupervisorOptions options);
  ~Supervisor();

  // Runs until a shutdown was requested and every container has stopped. Reads
  // SupervisorSignals() through a signalfd (blocking them, if the caller has not);
  // SIGTERM/SIGINT/SIGPWR request the shutdown.
  Status Run();
  // Requests the shutdown from inside the loop's thread (e.g. a power button event).
  void RequestShutdown(const std::string& why);

  // The port the health endpoint listens on once Run() started (resolves health_port 0).
  int health_port() const;
  const LogBuffer& logs() const { return logs_; }

  struct State;  // defined in supervisor.cpp

 private:
  std::unique_ptr<State> state_;
  LogBuffer logs_;
};

}  // namespace i2kit
