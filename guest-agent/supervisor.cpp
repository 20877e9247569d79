#include "guest-agent/supervisor.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <map>
#include <optional>

#include "common/sys_error.h"
#include "common/text_file.h"
#include "guest-agent/health_http.h"
#include "guest-agent/lifecycle_hook.h"
#include "guest-agent/line_rate_limit.h"
#include "guest-agent/power_button.h"
#include "guest-agent/probe_check.h"
#include "guest-agent/restart_backoff.h"

namespace i2kit {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;
using std::chrono::seconds;

// "1.84 s after boot" from /proc/uptime: the guest's side of the boot-to-ready time (the
// benchmark reads it from the console), whatever the host measured around it.
std::string SinceBoot() {
  double uptime = 0;
  if (std::sscanf(ReadTextFile("/proc/uptime").c_str(), "%lf", &uptime) != 1) {
    return "uptime unknown";
  }
  char text[32];
  std::snprintf(text, sizeof text, "%.2f s after boot", uptime);
  return text;
}

// One probe of one container: when it runs next, its consecutive results, the running attempt.
struct ProbeRun {
  const Probe* probe = nullptr;
  Clock::time_point next;
  int successes = 0;
  int failures = 0;
  pid_t attempt = -1;  // the child running the current attempt
  Clock::time_point attempt_deadline;
};

// Where a container stands in the Pod's order (Kubernetes' init containers and sidecars).
enum class Role {
  kInit,     // runs to completion, in order, before the next one and the app containers
  kSidecar,  // an init container with restartPolicy: Always: started in order, kept running
  kApp,
};

// A lifecycle hook under way: a child (exec, httpGet) or a sleep until `until`.
struct HookRun {
  bool active = false;
  pid_t pid = -1;
  Clock::time_point until;
};

struct Supervised {
  const Container* spec = nullptr;
  Role role = Role::kApp;
  ContainerStatus status;
  RestartBackoff backoff;
  pid_t pid = -1;
  Clock::time_point started;
  Clock::time_point next_start;  // when waiting or backing off
  UniqueFd out, err;
  ProbeRun liveness, readiness, startup;
  bool stop_requested = false;
  bool ever_started = false;
  bool completed = false;  // an init container that exited 0: never started again
  HookRun post_start, pre_stop;
  // A graceful stop under way (shutdown, a failed liveness or startup probe or postStart):
  // the preStop hook, then SIGTERM, then SIGKILL at kill_at.
  bool stopping = false;
  bool killed = false;
  Clock::time_point kill_at;
  LineRateLimit output_limit{0, 0};
  Clock::time_point next_drop_report;
  // Since this start, its declared TCP ports accepted a connection (or it has none, a
  // readinessProbe, or the wait for them is over): see GateOnDeclaredPorts.
  bool ports_listen = false;
};

struct Auxiliary {
  AuxiliaryProcess spec;
  RestartBackoff backoff;
  pid_t pid = -1;
  bool finished = false;  // exited 0: not started again
  Clock::time_point started;
  Clock::time_point next_start;
};

struct Client {
  UniqueFd fd;
  uint32_t peer = 0;  // its IPv4 address, network byte order
  std::string received;
  std::string response;
  size_t sent = 0;
  Clock::time_point deadline;
  // A /readyz?wait= request held until the Pod is ready or this time (health_http.h).
  std::optional<Clock::time_point> held_until;
};

}  // namespace

struct Supervisor::State {
  const Deployment& deployment;
  ContainerRuntime& runtime;
  SupervisorOptions options;
  PodStatus pod;
  std::vector<Supervised> containers;
  std::vector<Auxiliary> auxiliaries;
  UniqueFd signals, listener;
  int bound_port = -1;
  std::vector<Client> clients;
  bool shutting_down = false;
  Clock::time_point kill_deadline;
  std::optional<CpuTimes> last_cpu;  // the last /proc/stat reading, for the CPU use since
  Clock::time_point next_cpu_sample;
  bool killed = false;
  bool init_complete = false;  // every init container completed and every sidecar started

  LogBuffer* logs = nullptr;

  State(const Deployment& d, ContainerRuntime& r, SupervisorOptions o)
      : deployment(d), runtime(r), options(std::move(o)) {}
  // A line of container output, as stored (escaped, prefixed).
  void Say(const std::string& line) const {
    if (options.console) options.console(LogLevel::kInfo, line);
  }
  // An event of the agent's own: on the console, marked as such, and in the log buffer.
  void Event(const std::string& what, LogLevel level = LogLevel::kInfo) const {
    for (const std::string& line : logs->Append(kAgentSource, what + "\n", {}, level)) {
      if (options.console) options.console(level, line);
    }
  }
  static constexpr const char* kAgentSource = "i2kit-agent";
};

sigset_t SupervisorSignals() {
  sigset_t mask;
  sigemptyset(&mask);
  for (int sig : {SIGCHLD, SIGTERM, SIGINT, SIGPWR}) sigaddset(&mask, sig);
  return mask;
}

Status BlockSupervisorSignals() {
  sigset_t mask = SupervisorSignals();
  if (::sigprocmask(SIG_BLOCK, &mask, nullptr) != 0) return SysError("sigprocmask");
  return Status::Ok();
}

namespace {

// Starts `hook` for container `c`: exec through the runtime as the exec probes do, httpGet in
// a child under the probe identity as the HTTP probes do (lifecycle_hook.h), sleep as a timer.
// A hook that cannot start is inactive with pid -1 and `false` returned: it failed.
bool StartHook(Supervisor::State& st, const Supervised& c, const LifecycleHook& hook,
               int timeout_seconds, Clock::time_point now, HookRun& run) {
  run = HookRun{};
  if (hook.action == HookAction::kSleep) {
    run.active = true;
    run.until = now + seconds(hook.sleep_seconds);
    return true;
  }
  if (hook.action == HookAction::kExec) {
    Result<pid_t> pid = SpawnProcess(st.runtime.ExecArgv(c.spec->name, hook.command), -1, -1, -1);
    run.pid = pid.ok() ? *pid : -1;
  } else {
    run.pid = StartNetworkProbe(HookHttpProbe(hook, timeout_seconds));
  }
  run.active = run.pid > 0;
  return run.active;
}

void CancelHook(HookRun& run) {
  if (run.active && run.pid > 0) KillProcessTree(run.pid);
  run = HookRun{};
}

void SendTerm(Supervised& c) {
  if (c.pid > 0) ::kill(c.pid, SIGTERM);
}

// Stops `c` as Kubernetes does: its preStop hook first, then SIGTERM, and SIGKILL at
// `kill_at` — the grace period counts from the preStop hook's start, not from the SIGTERM.
void BeginStop(Supervisor::State& st, Supervised& c, Clock::time_point now,
               Clock::time_point kill_at) {
  if (c.pid <= 0 || c.stopping) return;
  c.stopping = true;
  c.kill_at = kill_at;
  CancelHook(c.post_start);
  const std::optional<LifecycleHook>& pre_stop = c.spec->lifecycle.pre_stop;
  if (pre_stop) {
    auto left = std::chrono::duration_cast<seconds>(kill_at - now).count();
    if (StartHook(st, c, *pre_stop, static_cast<int>(std::max<long>(1, left)), now, c.pre_stop)) {
      st.Event("container " + c.spec->name + ": preStop hook (" + HookActionName(pre_stop->action) +
               ") started");
      return;
    }
    st.Event("container " + c.spec->name + ": preStop hook could not start", LogLevel::kWarn);
  }
  SendTerm(c);
}

void OnPreStopDone(Supervisor::State& st, Supervised& c, bool ok) {
  c.pre_stop = HookRun{};
  st.Event("container " + c.spec->name + ": preStop hook " + (ok ? "done" : "failed") + ", SIGTERM",
           ok ? LogLevel::kInfo : LogLevel::kWarn);
  SendTerm(c);
}

// Sidecars stop after every other container has, the last started first, one at a time.
void StopSidecarsWhenAlone(Supervisor::State& st, Clock::time_point now) {
  for (const Supervised& c : st.containers) {
    if (c.role != Role::kSidecar && c.pid > 0) return;
  }
  for (auto it = st.containers.rbegin(); it != st.containers.rend(); ++it) {
    if (it->role != Role::kSidecar || it->pid <= 0) continue;
    it->stop_requested = true;
    BeginStop(st, *it, now, st.kill_deadline);
    return;
  }
}

}  // namespace

Supervisor::Supervisor(const Deployment& deployment, int replica, ContainerRuntime& runtime,
                       SupervisorOptions options)
    : state_(std::make_unique<State>(deployment, runtime, std::move(options))) {
  state_->logs = &logs_;
  state_->pod.pod = deployment.name;
  state_->pod.replica = replica;
  Clock::time_point now = Clock::now();
  // Init containers and sidecars first, in order: the order in which they start.
  std::vector<std::pair<const Container*, Role>> order;
  for (const Container& c : deployment.init_containers) {
    order.push_back({&c, c.restart_always ? Role::kSidecar : Role::kInit});
  }
  for (const Container& c : deployment.containers) order.push_back({&c, Role::kApp});
  for (const auto& [container, role] : order) {
    const Container& c = *container;
    Supervised s;
    s.spec = &c;
    s.role = role;
    s.status.name = c.name;
    s.status.sidecar = role == Role::kSidecar;
    if (!deployment.init_containers.empty()) s.status.reason = "PodInitializing";
    s.next_start = now;
    s.liveness.probe = c.liveness_probe ? &*c.liveness_probe : nullptr;
    s.readiness.probe = c.readiness_probe ? &*c.readiness_probe : nullptr;
    s.startup.probe = c.startup_probe ? &*c.startup_probe : nullptr;
    s.output_limit = LineRateLimit(state_->options.lines_per_second, state_->options.line_burst);
    state_->containers.push_back(std::move(s));
  }
  for (AuxiliaryProcess& a : state_->options.auxiliaries) {
    state_->auxiliaries.push_back({std::move(a), {}, -1, false, now, now});
  }
}

Supervisor::~Supervisor() = default;

int Supervisor::health_port() const {
  return state_->bound_port;
}

void Supervisor::RequestShutdown(const std::string& why) {
  State& st = *state_;
  if (st.shutting_down) return;
  st.shutting_down = true;
  st.pod.shutting_down = true;
  int grace = st.deployment.termination_grace_period_seconds;
  st.kill_deadline = Clock::now() + seconds(grace);
  st.Event("shutdown requested (" + why + "): stopping containers, grace period " +
           std::to_string(grace) + "s");
  for (Auxiliary& a : st.auxiliaries) {
    if (a.pid > 0) ::kill(a.pid, SIGTERM);
  }
  // Reverse order: the first container is usually the one the others depend on. Sidecars
  // serve the others to the end: they stop once the rest have (StopSidecarsWhenAlone).
  Clock::time_point now = Clock::now();
  for (auto it = st.containers.rbegin(); it != st.containers.rend(); ++it) {
    if (it->role == Role::kSidecar) continue;
    it->stop_requested = true;
    BeginStop(st, *it, now, st.kill_deadline);
  }
  StopSidecarsWhenAlone(st, now);
}

namespace {

void ResetProbes(Supervised& c, Clock::time_point now) {
  for (ProbeRun* p : {&c.liveness, &c.readiness, &c.startup}) {
    if (p->attempt > 0) ::kill(p->attempt, SIGKILL);
    p->attempt = -1;
    p->successes = p->failures = 0;
    if (p->probe) p->next = now + seconds(p->probe->initial_delay_seconds);
  }
}

// Forks a child that makes one probe attempt and exits 0 on success.
pid_t StartProbeAttempt(ContainerRuntime& runtime, const Supervised& c, const Probe& probe) {
  if (probe.action == ProbeAction::kExec) {
    Result<pid_t> pid = SpawnProcess(runtime.ExecArgv(c.spec->name, probe.command), -1, -1, -1);
    return pid.ok() ? *pid : -1;
  }
  return StartNetworkProbe(probe);
}

// A postStart HTTP hook has no timeout in Kubernetes; one that hangs holds the container
// unready, so it is bounded here.
constexpr int kPostStartHttpTimeoutSeconds = 30;

// A postStart hook ended: the container may now start its probes, or, when the hook failed,
// it is stopped and restarted with the back-off, as the kubelet does.
void OnPostStartDone(Supervisor::State& st, Supervised& c, bool ok, Clock::time_point now) {
  c.post_start = HookRun{};
  if (c.pid <= 0) return;
  if (!ok) {
    c.status.reason = "FailedPostStartHook";
    st.Event("container " + c.spec->name + ": postStart hook failed: restarting", LogLevel::kWarn);
    BeginStop(st, c, now, now + seconds(st.deployment.termination_grace_period_seconds));
    return;
  }
  c.status.reason.clear();
  c.status.started = c.startup.probe == nullptr;
  c.status.ready = c.readiness.probe == nullptr && c.status.started;
  ResetProbes(c, now);
  st.Event("container " + c.spec->name + ": postStart hook done");
}

void StartContainer(Supervisor::State& st, Supervised& c, Clock::time_point now) {
  int out[2], err[2];
  if (::pipe2(out, O_CLOEXEC) != 0 || ::pipe2(err, O_CLOEXEC) != 0) {
    st.Event("container " + c.spec->name + " not started: " + SysErrorMessage("pipe2"),
             LogLevel::kWarn);
    c.next_start = now + seconds(1);
    return;
  }
  UniqueFd out_write(out[1]), err_write(err[1]);
  c.out.reset(out[0]);
  c.err.reset(err[0]);
  ::fcntl(c.out.get(), F_SETFL, O_NONBLOCK);
  ::fcntl(c.err.get(), F_SETFL, O_NONBLOCK);
  st.pod.Mark("container-runc:" + c.spec->name, ReadGuestClock());
  Result<pid_t> pid = st.runtime.Start(c.spec->name, out_write.get(), err_write.get());
  if (!pid.ok()) {
    // A container that cannot start backs off like one that crashed.
    seconds delay = c.backoff.NextDelay(seconds(0));
    c.status.restarts = c.backoff.restarts();
    c.status.state = ContainerState::kBackOff;
    c.status.reason = "StartError";
    c.next_start = now + delay;
    st.Event("container " + c.spec->name + " failed to start: " + pid.status().message() +
                 " backoff=" + std::to_string(delay.count()) + "s",
             LogLevel::kWarn);
    return;
  }
  st.pod.Mark("container-started:" + c.spec->name, ReadGuestClock());
  c.pid = *pid;
  c.started = now;
  c.ever_started = true;
  c.stopping = c.killed = false;
  c.status.state = ContainerState::kRunning;
  c.status.reason.clear();
  c.status.started_at_unix = static_cast<int64_t>(::time(nullptr));
  c.status.started = c.startup.probe == nullptr;
  c.status.ready = c.readiness.probe == nullptr && c.status.started;
  c.ports_listen = false;
  ResetProbes(c, now);
  st.Event(std::string(c.role == Role::kApp       ? "container "
                       : c.role == Role::kSidecar ? "sidecar container "
                                                  : "init container ") +
           c.spec->name + " started pid=" + std::to_string(c.pid) +
           " restarts=" + std::to_string(c.status.restarts));
  // Not started nor ready, and probed by nothing, until its postStart hook has ended.
  if (const std::optional<LifecycleHook>& hook = c.spec->lifecycle.post_start) {
    c.status.started = c.status.ready = false;
    c.status.reason = "PostStartHook";
    if (!StartHook(st, c, *hook, kPostStartHttpTimeoutSeconds, now, c.post_start)) {
      OnPostStartDone(st, c, false, now);
    }
  }
}

void OnContainerExit(Supervisor::State& st, Supervised& c, int wait_status, Clock::time_point now) {
  int code = ExitCodeOf(wait_status);
  c.pid = -1;
  c.status.last_exit_code = code;
  c.status.ready = false;
  ResetProbes(c, now);
  CancelHook(c.post_start);
  CancelHook(c.pre_stop);
  c.stopping = c.killed = false;
  st.runtime.Cleanup(c.spec->name);
  if (st.shutting_down || c.stop_requested) {
    c.status.state = ContainerState::kTerminated;
    c.status.reason = "Stopped";
    st.Event("container " + c.spec->name + " stopped code=" + std::to_string(code));
    if (st.shutting_down) StopSidecarsWhenAlone(st, now);
    return;
  }
  if (c.role == Role::kInit && code == 0) {
    c.completed = true;
    c.status.state = ContainerState::kTerminated;
    c.status.reason = "Completed";
    st.Event("init container " + c.spec->name + " completed");
    return;
  }
  auto ran = std::chrono::duration_cast<seconds>(now - c.started);
  seconds delay = c.backoff.NextDelay(ran);
  c.status.restarts = c.backoff.restarts();
  c.status.state = ContainerState::kBackOff;
  c.status.reason = "CrashLoopBackOff";
  c.next_start = now + delay;
  st.Event(std::string(c.role == Role::kInit ? "init container " : "container ") + c.spec->name +
               " exited code=" + std::to_string(code) +
               " restarts=" + std::to_string(c.status.restarts) +
               " backoff=" + std::to_string(delay.count()) + "s",
           LogLevel::kWarn);
}

void OnProbeResult(Supervisor::State& st, Supervised& c, ProbeRun& run, bool ok,
                   Clock::time_point now) {
  run.attempt = -1;
  run.next = now + seconds(run.probe->period_seconds);
  if (ok) {
    ++run.successes;
    run.failures = 0;
  } else {
    ++run.failures;
    run.successes = 0;
  }
  if (&run == &c.startup) {
    if (ok) {
      c.status.started = true;
      c.status.ready = c.readiness.probe == nullptr;
      st.Event("container " + c.spec->name + " started (startup probe passed)");
    } else if (run.failures >= run.probe->failure_threshold && c.pid > 0 && !c.stopping) {
      st.Event("container " + c.spec->name + " failed its startup probe " +
                   std::to_string(run.failures) + " times: restarting",
               LogLevel::kWarn);
      BeginStop(st, c, now, now + seconds(st.deployment.termination_grace_period_seconds));
    }
  } else if (&run == &c.readiness) {
    bool was = c.status.ready;
    if (ok && run.successes >= run.probe->success_threshold) c.status.ready = true;
    if (!ok && run.failures >= run.probe->failure_threshold) c.status.ready = false;
    if (was != c.status.ready) {
      st.Event("container " + c.spec->name + (c.status.ready ? " ready" : " not ready"));
    }
  } else if (!ok && run.failures >= run.probe->failure_threshold && c.pid > 0 && !c.stopping) {
    // As the kubelet: the preStop hook, SIGTERM, and SIGKILL after the grace period.
    st.Event("container " + c.spec->name + " failed its liveness probe " +
                 std::to_string(run.failures) + " times: restarting",
             LogLevel::kWarn);
    BeginStop(st, c, now, now + seconds(st.deployment.termination_grace_period_seconds));
  }
}

void RunDueProbes(Supervisor::State& st, Supervised& c, Clock::time_point now) {
  if (c.pid <= 0 || st.shutting_down || c.stopping || c.post_start.active) return;
  // A startup probe holds the others back until it has passed.
  std::vector<ProbeRun*> runs;
  if (!c.status.started)
    runs = {&c.startup};
  else
    runs = {&c.liveness, &c.readiness};
  for (ProbeRun* run : runs) {
    if (!run->probe) continue;
    if (run->attempt > 0) {
      // Reaped as a failure. The tree: `runc exec` killed alone leaves its process running.
      if (now >= run->attempt_deadline) KillProcessTree(run->attempt);
      continue;
    }
    if (now < run->next) continue;
    run->attempt = StartProbeAttempt(st.runtime, c, *run->probe);
    run->attempt_deadline = now + seconds(run->probe->timeout_seconds + 1);
    if (run->attempt < 0) OnProbeResult(st, c, *run, false, now);
  }
}

void StartAuxiliary(Supervisor::State& st, Auxiliary& a, Clock::time_point now) {
  Result<pid_t> pid = a.spec.start();
  a.started = now;
  if (pid.ok()) {
    a.pid = *pid;
    st.Event(a.spec.name + " started pid=" + std::to_string(a.pid));
    return;
  }
  seconds delay = a.backoff.NextDelay(seconds(0));
  a.next_start = now + delay;
  st.Event(a.spec.name + " failed to start: " + pid.status().message() +
           " backoff=" + std::to_string(delay.count()) + "s");
}

void OnAuxiliaryExit(Supervisor::State& st, Auxiliary& a, int wait_status, Clock::time_point now) {
  int code = ExitCodeOf(wait_status);
  a.pid = -1;
  if (code == 0 || st.shutting_down) {
    a.finished = true;
    st.Event(a.spec.name + " exited code=" + std::to_string(code));
    return;
  }
  seconds delay = a.backoff.NextDelay(std::chrono::duration_cast<seconds>(now - a.started));
  a.next_start = now + delay;
  st.Event(a.spec.name + " exited code=" + std::to_string(code) +
           " backoff=" + std::to_string(delay.count()) + "s");
}

// Reaps every exited child: containers, probe attempts, the agent's auxiliary processes, and
// orphans (PID 1 inherits them).
void ReapChildren(Supervisor::State& st, Clock::time_point now) {
  while (true) {
    int status = 0;
    pid_t pid = ::waitpid(-1, &status, WNOHANG);
    if (pid <= 0) return;
    for (Auxiliary& a : st.auxiliaries) {
      if (a.pid == pid) OnAuxiliaryExit(st, a, status, now);
    }
    for (Supervised& c : st.containers) {
      if (c.pid == pid) {
        OnContainerExit(st, c, status, now);
        break;
      }
      if (c.post_start.active && c.post_start.pid == pid) {
        OnPostStartDone(st, c, ExitCodeOf(status) == 0, now);
      }
      if (c.pre_stop.active && c.pre_stop.pid == pid) OnPreStopDone(st, c, ExitCodeOf(status) == 0);
      for (ProbeRun* run : {&c.liveness, &c.readiness, &c.startup}) {
        if (run->attempt == pid) OnProbeResult(st, c, *run, ExitCodeOf(status) == 0, now);
      }
    }
  }
}

// Says how many lines of `c` the rate limit refused, at most once a second (and at the end
// of its output), so a flood costs the console one line a second.
void ReportRefusedLines(Supervisor::State& st, Supervised& c, Clock::time_point now) {
  bool output_ended = !c.out.valid() && !c.err.valid();
  if (now < c.next_drop_report && !output_ended) return;
  uint64_t refused = c.output_limit.TakeDropped();
  if (refused == 0) return;
  c.next_drop_report = now + seconds(1);
  char rate[32];
  std::snprintf(rate, sizeof rate, "%g", c.output_limit.per_second());
  st.Event("container " + c.spec->name + ": " + std::to_string(refused) + " lines dropped (over " +
               rate + " lines/s)",
           LogLevel::kWarn);
}

// Reads what `c` wrote on one of its pipes, at most kDrainBytesPerWake a wake-up: a container
// that writes without pause (`yes`) then costs the loop a bounded slice, and poll() brings the
// loop back to it after the signals, the reaping and the health clients had their turn.
constexpr size_t kDrainBytesPerWake = 16 * 1024;

void DrainOutput(Supervisor::State& st, LogBuffer& logs, Supervised& c, bool err,
                 Clock::time_point now) {
  UniqueFd& fd = err ? c.err : c.out;
  std::string source = c.spec->name + (err ? "/stderr" : "");
  auto admit = [&] { return c.output_limit.Admit(now); };
  char buffer[4096];
  for (size_t taken = 0; fd.valid() && taken < kDrainBytesPerWake;) {
    ssize_t n = ::read(fd.get(), buffer, sizeof buffer);
    if (n > 0) {
      taken += static_cast<size_t>(n);
      for (const std::string& line :
           logs.Append(source, std::string_view(buffer, static_cast<size_t>(n)), admit)) {
        st.Say(line);
      }
      continue;
    }
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) return;
    for (const std::string& line : logs.Flush(source)) st.Say(line);
    fd.reset();  // end of output: the container and everything it started are gone
  }
}

Status Listen(Supervisor::State& st) {
  if (st.options.health_port < 0) return Status::Ok();
  UniqueFd fd(::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (!fd.valid()) return SysError("socket");
  int one = 1;
  ::setsockopt(fd.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(st.options.health_port));
  if (inet_pton(AF_INET, st.options.health_address.c_str(), &addr.sin_addr) != 1) {
    return Status::Error("bad health address " + st.options.health_address);
  }
  if (::bind(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    return Status::Error(SysErrorMessage("bind") + " (health port " +
                         std::to_string(st.options.health_port) + ")");
  }
  if (::listen(fd.get(), 16) != 0) return SysError("listen");
  socklen_t len = sizeof addr;
  ::getsockname(fd.get(), reinterpret_cast<sockaddr*>(&addr), &len);
  st.bound_port = ntohs(addr.sin_port);
  st.listener = std::move(fd);
  return Status::Ok();
}

// The index of the first init container or sidecar that the ones after it (and the app
// containers) still wait for — an init container not yet completed, a sidecar not yet started
// (its postStart hook and startup probe passed, as Kubernetes waits for them) — or npos.
size_t FirstUnfinishedInit(const Supervisor::State& st) {
  if (st.init_complete) return std::string::npos;
  for (size_t i = 0; i < st.containers.size(); ++i) {
    const Supervised& c = st.containers[i];
    if (c.role == Role::kInit && !c.completed) return i;
    if (c.role == Role::kSidecar &&
        (c.pid <= 0 || c.post_start.active || c.stopping || !c.status.started)) {
      return i;
    }
  }
  return std::string::npos;
}

// Whether container `i` may start now: a first start waits for the init containers before
// it; a sidecar that ran before restarts on its back-off alone, as app containers do.
bool MayStart(const Supervisor::State& st, size_t i, size_t blocker, Clock::time_point now) {
  const Supervised& c = st.containers[i];
  if (st.shutting_down || c.pid > 0 || c.completed || now < c.next_start) return false;
  if (c.role == Role::kApp) return st.init_complete;  // latched (and said) at the loop's top
  return i == blocker || (c.role == Role::kSidecar && c.ever_started);
}

ProbeStatus ProbeReport(const char* type, const ProbeRun& run) {
  ProbeStatus report;
  report.type = type;
  report.action = ProbeActionName(run.probe->action);
  report.successes = run.successes;
  report.failures = run.failures;
  return report;
}

// Copies the containers' states into the Pod's status, as /status and /readyz show them.
void PublishStatus(Supervisor::State& st) {
  st.pod.init_containers.clear();
  st.pod.containers.clear();
  for (const Supervised& c : st.containers) {
    ContainerStatus status = c.status;
    status.probes.clear();
    if (c.startup.probe) status.probes.push_back(ProbeReport("startup", c.startup));
    if (c.readiness.probe) status.probes.push_back(ProbeReport("readiness", c.readiness));
    if (c.liveness.probe) status.probes.push_back(ProbeReport("liveness", c.liveness));
    (c.role == Role::kApp ? st.pod.containers : st.pod.init_containers).push_back(status);
    if (status.ready) st.pod.Mark("container-ready:" + c.spec->name, ReadGuestClock());
  }
}

// Read at report time, so that /status shows what the kernel enforces, not what was planned.
void RefreshFromProc(Supervisor::State& st) {
  if (Result<MemoryUsage> usage = ParseMeminfo(ReadTextFile(st.options.meminfo_path)); usage.ok()) {
    st.pod.memory = *usage;
  }
  Result<AgentConfinement> agent = ParseAgentConfinement(ReadTextFile(st.options.proc_status_path));
  if (agent.ok()) st.pod.agent = *agent;
  st.pod.clock = ReadGuestClock();
}

// How long a container without a readinessProbe may take to listen on its declared ports
// before it is ready anyway (a port declared but opened later must not keep the Pod out).
constexpr seconds kDeclaredPortsWait{10};

bool AwaitsDeclaredPorts(const Supervised& c) {
  if (c.role != Role::kApp || c.readiness.probe != nullptr || c.pid <= 0 || c.ports_listen) {
    return false;
  }
  return std::any_of(c.spec->ports.begin(), c.spec->ports.end(),
                     [](const ContainerPort& p) { return p.protocol == Protocol::kTcp; });
}

// A container without a readinessProbe is ready once it runs, as in Kubernetes; but here a
// ready Pod is in the balancer within milliseconds (the host waits on /readyz), before a server
// that just started listens, and a request sent there fails. So it is ready only once every
// TCP port it declares accepts a connection, or after kDeclaredPortsWait, said once.
void GateOnDeclaredPorts(Supervisor::State& st, Supervised& c, Clock::time_point now) {
  if (!AwaitsDeclaredPorts(c) || !c.status.started) return;
  bool all = std::all_of(c.spec->ports.begin(), c.spec->ports.end(), [&](const ContainerPort& p) {
    return p.protocol != Protocol::kTcp ||
           ConnectBefore("", p.container_port, Clock::now() + milliseconds(200)).valid();
  });
  if (!all && now - c.started < kDeclaredPortsWait) {
    c.status.ready = false;
    return;
  }
  c.ports_listen = true;
  c.status.ready = true;
  if (!all) {
    st.Event("container " + c.spec->name + ": its declared ports do not all accept connections " +
                 std::to_string(kDeclaredPortsWait.count()) +
                 " s after it started; ready anyway (a readinessProbe says when it is)",
             LogLevel::kWarn);
  }
}

// The boot timeline's first marks, as supervision begins: the kernel's start, when the agent
// started (as /init, in PID 1) and now, its set-up done.
void MarkAgentStart(Supervisor::State& st) {
  GuestClock now = ReadGuestClock();
  st.pod.Mark("kernel-started", {0, now.realtime - now.boottime});
  st.pod.Mark("init", ProgramStartClock());
  for (const BootMark& m : st.options.earlier_marks) st.pod.Mark(m.phase, m.at);
  st.pod.Mark("agent-ready", now);
}

// Every 2 s, the guest's CPU use over the 2 s just ended, for /status (ps shows it).
void SampleCpu(Supervisor::State& st, Clock::time_point now) {
  if (now < st.next_cpu_sample) return;
  st.next_cpu_sample = now + seconds(2);
  Result<CpuTimes> times = ParseProcStat(ReadTextFile(st.options.proc_stat_path));
  if (!times.ok()) return;
  if (st.last_cpu) {
    st.pod.cpu_percent =
        CpuPercent(*st.last_cpu, *times, static_cast<int>(::sysconf(_SC_NPROCESSORS_ONLN)));
  }
  st.last_cpu = *times;
}

// Reads what a client sent; once its request head is complete, prepares the response, unless
// it asks to wait for readiness (then it is held until the Pod is ready or its wait is over).
void ServeClient(Supervisor::State& st, const LogBuffer& logs, Client& client,
                 Clock::time_point now) {
  char buffer[1024];
  while (client.response.empty() && !client.held_until) {
    ssize_t n = ::recv(client.fd.get(), buffer, sizeof buffer, 0);
    if (n > 0) {
      client.received.append(buffer, static_cast<size_t>(n));
      if (HasCompleteRequestHead(client.received) ||
          client.received.size() > kMaxHealthRequestBytes) {
        std::optional<seconds> wait = ReadinessWait(client.received);
        if (wait && !st.pod.Ready()) {
          client.held_until = now + *wait;
          client.deadline = *client.held_until + seconds(2);
          break;
        }
        PublishStatus(st);
        RefreshFromProc(st);
        client.response = HandleHealthRequest(client.received, st.pod, &logs).Serialize();
      }
      continue;
    }
    if (n < 0 && errno == EAGAIN) return;
    client.fd.reset();  // closed or failed before asking anything
    return;
  }
  if (client.response.empty()) {
    if (!st.pod.Ready() && now < *client.held_until) return;
    PublishStatus(st);
    RefreshFromProc(st);
    client.response = HandleHealthRequest(client.received, st.pod, &logs).Serialize();
  }
  while (client.sent < client.response.size()) {
    ssize_t n = ::send(client.fd.get(), client.response.data() + client.sent,
                       client.response.size() - client.sent, MSG_NOSIGNAL);
    if (n < 0 && errno == EAGAIN) return;
    if (n <= 0) break;
    client.sent += static_cast<size_t>(n);
  }
  client.fd.reset();
}

}  // namespace

Status Supervisor::Run() {
  State& st = *state_;
  PublishStatus(st);
  // Orphans of containers' runtimes come to the agent when it is not PID 1 too.
  ::prctl(PR_SET_CHILD_SUBREAPER, 1);
  if (Status s = BlockSupervisorSignals(); !s.ok()) return s;
  sigset_t mask = SupervisorSignals();
  st.signals.reset(::signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC));
  if (!st.signals.valid()) return SysError("signalfd");
  if (Status s = Listen(st); !s.ok()) return s;
  MarkAgentStart(st);
  bool announced_ready = false;

  while (true) {
    Clock::time_point now = Clock::now();
    bool all_stopped = true;
    size_t blocker = FirstUnfinishedInit(st);
    if (blocker == std::string::npos && !st.init_complete) {
      st.init_complete = true;
      if (!st.deployment.init_containers.empty()) {
        st.Event("init containers done: starting the app containers");
      }
    }
    for (size_t i = 0; i < st.containers.size(); ++i) {
      Supervised& c = st.containers[i];
      if (MayStart(st, i, blocker, now)) {
        StartContainer(st, c, now);
        blocker = FirstUnfinishedInit(st);
      }
      if (c.post_start.active && c.post_start.pid < 0 && now >= c.post_start.until) {
        OnPostStartDone(st, c, true, now);
      }
      if (c.pre_stop.active && c.pre_stop.pid < 0 && now >= c.pre_stop.until) {
        OnPreStopDone(st, c, true);
      }
      if (c.stopping && !c.killed && c.pid > 0 && now >= c.kill_at) {
        c.killed = true;
        st.Event("container " + c.spec->name + " did not stop within the grace period: SIGKILL",
                 LogLevel::kWarn);
        CancelHook(c.pre_stop);
        ::kill(c.pid, SIGKILL);
      }
      RunDueProbes(st, c, now);
      if (c.pid > 0 || c.out.valid() || c.err.valid()) all_stopped = false;
    }
    for (Auxiliary& a : st.auxiliaries) {
      if (!st.shutting_down && !a.finished && a.pid <= 0 && now >= a.next_start) {
        StartAuxiliary(st, a, now);
      }
      if (a.pid > 0) all_stopped = false;
    }
    if (st.shutting_down) {
      if (all_stopped) break;
      if (!st.killed && now >= st.kill_deadline) {
        st.killed = true;
        // Containers whose stop has not begun (a stopping one has its own kill_at); sidecars
        // still wait for the others to be gone (StopSidecarsWhenAlone), and are killed at once
        // then, since the grace period is over.
        for (Supervised& c : st.containers) {
          if (c.pid > 0 && !c.stopping && c.role != Role::kSidecar) {
            st.Event("container " + c.spec->name + " did not stop within the grace period: SIGKILL",
                     LogLevel::kWarn);
            ::kill(c.pid, SIGKILL);
          }
        }
        for (Auxiliary& a : st.auxiliaries) {
          if (a.pid > 0) ::kill(a.pid, SIGKILL);
        }
      }
    }
    for (Supervised& c : st.containers) GateOnDeclaredPorts(st, c, now);
    PublishStatus(st);
    SampleCpu(st, now);
    if (st.pod.Ready() != announced_ready) {
      announced_ready = st.pod.Ready();
      if (announced_ready) st.pod.Mark("pod-ready", ReadGuestClock());
      st.Event(announced_ready ? "pod ready, " + SinceBoot() : "pod not ready");
    }

    // Sleep until the next thing is due: a start, a probe, the kill deadline; at most 1 s.
    Clock::time_point wake = now + seconds(1);
    for (Supervised& c : st.containers) {
      if (c.pid <= 0 && !st.shutting_down) wake = std::min(wake, c.next_start);
      for (const HookRun* hook : {&c.post_start, &c.pre_stop}) {
        if (hook->active && hook->pid < 0) wake = std::min(wake, hook->until);
      }
      if (c.stopping && !c.killed && c.pid > 0) wake = std::min(wake, c.kill_at);
      if (AwaitsDeclaredPorts(c)) wake = std::min(wake, now + milliseconds(50));
      for (ProbeRun* run : {&c.liveness, &c.readiness, &c.startup}) {
        if (run->probe && c.pid > 0)
          wake = std::min(wake, run->attempt > 0 ? run->attempt_deadline : run->next);
      }
    }
    for (const Auxiliary& a : st.auxiliaries) {
      if (a.pid <= 0 && !a.finished && !st.shutting_down) wake = std::min(wake, a.next_start);
    }
    if (st.shutting_down && !st.killed) wake = std::min(wake, st.kill_deadline);

    std::vector<pollfd> fds = {{st.signals.get(), POLLIN, 0}};
    if (st.listener.valid()) fds.push_back({st.listener.get(), POLLIN, 0});
    for (int button : st.options.power_buttons) fds.push_back({button, POLLIN, 0});
    for (Supervised& c : st.containers) {
      if (c.out.valid()) fds.push_back({c.out.get(), POLLIN, 0});
      if (c.err.valid()) fds.push_back({c.err.get(), POLLIN, 0});
    }
    for (Client& client : st.clients) {
      // A held request is answered from the loop, at once when the Pod is ready; its socket
      // is not polled (a peer that closed would keep it readable).
      if (client.held_until && client.response.empty()) {
        wake = std::min(wake, st.pod.Ready() ? now : *client.held_until);
        continue;
      }
      fds.push_back(
          {client.fd.get(), static_cast<short>(client.response.empty() ? POLLIN : POLLOUT), 0});
      wake = std::min(wake, client.deadline);
    }
    auto timeout = std::chrono::duration_cast<milliseconds>(wake - Clock::now()).count();
    int ready = ::poll(fds.data(), fds.size(), static_cast<int>(std::max<long>(0, timeout) + 1));
    if (ready < 0 && errno != EINTR) return SysError("poll");
    now = Clock::now();

    signalfd_siginfo info;
    while (::read(st.signals.get(), &info, sizeof info) == sizeof info) {
      if (info.ssi_signo != SIGCHLD)
        RequestShutdown(std::string("signal ") + strsignal(static_cast<int>(info.ssi_signo)));
    }
    for (int button : st.options.power_buttons) {
      if (PowerButtonPressed(button)) RequestShutdown("power button");
    }
    ReapChildren(st, now);
    for (Supervised& c : st.containers) {
      DrainOutput(st, logs_, c, false, now);
      DrainOutput(st, logs_, c, true, now);
      ReportRefusedLines(st, c, now);
    }
    if (st.listener.valid()) {
      // Everything waiting is accepted, so that one peer's held connections cannot fill the
      // backlog in front of the others; what is over a limit is closed at once.
      for (int accepted = 0; accepted < 256; ++accepted) {
        sockaddr_in peer{};
        socklen_t peer_size = sizeof peer;
        int fd = ::accept4(st.listener.get(), reinterpret_cast<sockaddr*>(&peer), &peer_size,
                           SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) break;
        Client client;
        client.fd.reset(fd);
        client.peer = peer.sin_addr.s_addr;
        size_t same_peer = std::count_if(st.clients.begin(), st.clients.end(),
                                         [&](const Client& c) { return c.peer == client.peer; });
        if (st.clients.size() >= kMaxHealthClients || same_peer >= kMaxHealthClientsPerPeer) {
          continue;
        }
        client.deadline = now + seconds(2);  // a slow client is dropped, never waited for
        st.clients.push_back(std::move(client));
      }
    }
    for (Client& client : st.clients) {
      if (now >= client.deadline)
        client.fd.reset();
      else
        ServeClient(st, logs_, client, now);
    }
    std::erase_if(st.clients, [](const Client& c) { return !c.fd.valid(); });
  }
  st.Event("all containers stopped");
  return Status::Ok();
}

}  // namespace i2kit
