#include "local-cluster/deployment_controller.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <future>
#include <map>
#include <optional>
#include <ostream>
#include <sstream>

#include "common/sys_error.h"
#include "local-cluster/control_channel.h"
#include "local-cluster/replica_launcher.h"
#include "local-cluster/rollout_plan.h"
#include "local-cluster/tcp_balancer.h"
#include "local-vm/boot_timeline.h"
#include "local-vm/console_log.h"
#include "local-vm/local_ports.h"
#include "local-vm/readiness.h"
#include "local-vm/rotating_log.h"
#include "local-vm/vm_stop.h"

namespace i2kit {

namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

constexpr milliseconds kTick{100};
// Until a replica first enters service, its readiness check waits in its agent for the Pod to
// be ready (GET /readyz?wait=, guest-agent/health_http.h) and the next follows at once: the
// replica is in the balancer the moment its Pod is ready, where checks on the health interval
// took it in 1-2 s later (one interval to see it, one more for the healthy threshold's second
// success). Before the agent first answers, checks are plain and short (the health timeout): a
// connection QEMU's user network opened before the guest listened waits out TCP's SYN
// retransmission (seconds), so a long wait on it would see readiness late. A check the guest
// refused is retried after kBootRetry; one that timed out at once.
constexpr std::chrono::seconds kReadyWait{10};
constexpr milliseconds kBootRetry{200};
// A failed QEMU start (a port lost to a race, a full disk) is retried, not hammered.
constexpr milliseconds kLaunchRetry{3000};
// `down` and Ctrl-C: open connections get this long before the VMs are powered off.
constexpr milliseconds kShutdownDrain{2000};
constexpr size_t kFailureConsoleLines = 8;

enum class Phase { kBooting, kReady, kUnhealthy, kDraining, kStopping };

const char* PhaseName(Phase phase) {
  switch (phase) {
    case Phase::kBooting:
      return "booting";
    case Phase::kReady:
      return "ready";
    case Phase::kUnhealthy:
      return "unhealthy";
    case Phase::kDraining:
      return "draining";
    case Phase::kStopping:
      return "stopping";
  }
  return "?";
}

// The host's wall clock, for the boot timeline (boot_timeline.h).
double HostNow() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

std::string Seconds(Clock::duration d) {
  return FormatSeconds(std::chrono::duration_cast<milliseconds>(d));
}

std::string ShortDigest(const std::string& digest) {
  size_t colon = digest.find(':');
  std::string hex = colon == std::string::npos ? digest : digest.substr(colon + 1);
  return hex.substr(0, 12);
}

}  // namespace

struct DeploymentController::Impl {
  struct Target {
    VmArtifacts artifacts;
    std::string dir;
  };

  struct Replica {
    Replica(LaunchedReplica launched, HealthCheckSettings settings, Clock::time_point now)
        : record(std::move(launched.record)),
          dir(std::move(launched.dir)),
          process(std::move(launched.process)),
          health(settings, now),
          started(now),
          last_answer(now),
          next_boot_check(now),
          marks(std::move(launched.marks)) {}

    ReplicaRecord record;
    std::string dir;
    std::optional<VmProcess> process;  // moved to the stopping thread when it stops
    TargetHealth health;
    std::optional<LocalHttpGet> check;
    Phase phase = Phase::kBooting;
    Clock::time_point started;
    Clock::time_point last_answer;
    Clock::time_point next_boot_check;  // while WaitsForReadiness
    Clock::time_point unhealthy_since;
    Clock::time_point drain_deadline;
    bool ever_ready = false;
    bool answered_once = false;
    bool adopted = false;  // found running by this controller: it may have been ready before
    std::future<std::string> stopping;  // the stop's event lines
    std::optional<LogFollower> console;
    std::string console_carry;
    std::vector<TimelineMark> marks;  // the host's side of its boot timeline

    std::string name() const { return record.deployment + "/" + std::to_string(record.replica); }
    bool leaving() const { return phase == Phase::kDraining || phase == Phase::kStopping; }
  };

  struct Balancer {
    int container_port = 0;
    bool published = false;
    TcpBalancer lb;
  };

  // A rollout someone may be waiting for: the first one, or an update.
  struct Rollout {
    Clock::time_point last_progress;
    milliseconds deadline{0};
    std::vector<UniqueFd> waiters;
  };

  StateDir state;
  ControllerSettings settings;
  EventLog& log;
  std::ostream& out;
  std::string deployment;
  UniqueFd lock;
  UniqueFd control;
  std::string socket_path;
  std::string status_path;
  std::string lock_path;
  std::string log_path;
  bool stopped = false;  // every VM stopped on request: nothing of it need stay
  Target target;
  std::optional<Target> previous;  // what an update rolls back to
  std::map<int, Replica> replicas;
  std::vector<Balancer> balancers;
  std::optional<Rollout> rollout;
  std::vector<UniqueFd> down_waiters;
  bool shutting_down = false;
  milliseconds shutdown_grace{-1};
  int failed_boots = 0;  // replicas in a row that exited or were retired before getting ready
  int next_id = 0;
  int replacements = 0;
  Clock::time_point next_launch;
  // After adopting VMs, no replica is started or retired before their first health verdicts:
  // until then every adopted replica looks unready.
  Clock::time_point settle_until;
  std::string last_failure;  // console lines of the last replica that failed to get ready
  std::string status_written;
  Clock::time_point next_console_rotation;

  Impl(const StateDir& s, ControllerSettings cs, EventLog& l, std::ostream& o)
      : state(s), settings(std::move(cs)), log(l), out(o) {}

  // --- talking ---------------------------------------------------------------------------

  void Announce(const std::string& text) {
    log.Event(text);
    auto send = [&](std::vector<UniqueFd>& fds) {
      for (UniqueFd& fd : fds) {
        if (fd.valid() && !SendLine(fd.get(), EventLine(text)).ok()) fd.reset();
      }
    };
    if (rollout) send(rollout->waiters);
    send(down_waiters);
  }

  void AnswerRollout(const Status& status) {
    if (!status.ok()) log.Error(status.message());
    for (UniqueFd& fd : rollout->waiters) {
      if (fd.valid()) (void)SendLine(fd.get(), ResultLine(status));
    }
    rollout.reset();
  }

  // --- replicas ----------------------------------------------------------------------------

  bool IsCurrent(const Replica& r) const {
    return r.record.image_digest == target.artifacts.image_digest;
  }

  // The container ports each replica forwards: the Pod's TCP ports and the published ones.
  std::vector<int> ForwardedPorts(const VmArtifacts& artifacts) const {
    std::vector<int> ports;
    for (const VmPort& p : artifacts.ports) {
      if (p.protocol == Protocol::kTcp) ports.push_back(p.container_port);
    }
    for (const PublishedPort& p : settings.publish) ports.push_back(p.container_port);
    std::sort(ports.begin(), ports.end());
    ports.erase(std::unique(ports.begin(), ports.end()), ports.end());
    return ports;
  }

  Replica& Track(LaunchedReplica launched, Clock::time_point now) {
    int id = launched.record.replica;
    Replica& tracked =
        replicas.try_emplace(id, std::move(launched), settings.health, now).first->second;
    if (settings.stream_consoles) tracked.console.emplace(tracked.dir + "/" + kConsoleLogFile);
    if (!tracked.marks.empty()) SaveMarks(tracked);
    for (Balancer& b : balancers) {
      for (const PublishedPort& p : tracked.record.ports) {
        if (p.container_port != b.container_port) continue;
        if (Status s = b.lb.AddBackend(tracked.name(), "127.0.0.1", p.host_port); !s.ok()) {
          log.Error(s.message());
        }
      }
    }
    next_id = std::max(next_id, id + 1);
    return tracked;
  }

  static bool HasMark(const Replica& r, std::string_view phase) {
    return std::any_of(r.marks.begin(), r.marks.end(),
                       [&](const TimelineMark& m) { return m.phase == phase; });
  }

  void SaveMarks(const Replica& r) {
    Status s = WriteFileAtomically(r.dir + "/" + kTimelineFile, HostMarksToJson(r.marks));
    if (!s.ok()) log.Error(s.message());
  }

  // Records the end of `phase` in the replica's boot timeline, once. Not for an adopted
  // replica: its boot was another controller's to see.
  void Mark(Replica& r, const char* phase) {
    if (r.adopted || HasMark(r, phase)) return;
    r.marks.push_back({phase, HostNow(), {}, false});
    SaveMarks(r);
  }

  void Launch(Clock::time_point now) {
    ReplicaLaunch launch;
    launch.artifacts = target.artifacts;
    launch.artifacts_dir = target.dir;
    launch.qemu = settings.qemu;
    launch.replica = next_id;
    launch.cold = settings.cold_boot;
    launch.qemu.ports.clear();
    for (int container_port : ForwardedPorts(target.artifacts)) {
      Result<int> port = PickFreeLocalPort();
      if (!port.ok()) {
        log.Error(port.status().message());
        next_launch = now + kLaunchRetry;
        return;
      }
      launch.qemu.ports.push_back({*port, container_port, Protocol::kTcp});
    }
    Result<LaunchedReplica> launched = LaunchReplica(state, std::move(launch));
    if (!launched.ok()) {
      log.Error(launched.status().message());
      next_launch = now + kLaunchRetry;
      return;
    }
    std::string boot = launched->boot;
    std::string kernel = launched->kernel;
    Replica& r = Track(std::move(launched).value(), now);
    // For -v, to the waiting `run` too: which kernel file QEMU was given (boot_kernel.h).
    if (HostLogLevel() == LogLevel::kDebug) Announce(r.name() + " kernel: " + kernel);
    Announce(r.name() + " booting pid=" + std::to_string(r.record.pid) + " image " +
             ShortDigest(r.record.image_digest) + ": " + boot);
  }

  void SetInService(Replica& r, bool in_service) {
    for (Balancer& b : balancers) (void)b.lb.SetInService(r.name(), in_service);
  }

  int ActiveConnections(const Replica& r) const {
    int total = 0;
    for (const Balancer& b : balancers) total += b.lb.ActiveConnections(r.name());
    return total;
  }

  // Out of service for good: open connections get until `drain`, then the VM is stopped.
  void Retire(Replica& r, const std::string& reason, Clock::time_point now, milliseconds drain) {
    if (r.leaving()) return;
    bool serving = r.phase == Phase::kReady || ActiveConnections(r) > 0;
    r.phase = Phase::kDraining;
    r.check.reset();
    r.health.Deregister();
    r.drain_deadline = now + (serving ? drain : milliseconds(0));
    for (Balancer& b : balancers) (void)b.lb.Drain(r.name(), r.drain_deadline);
    Announce(r.name() + (serving ? " draining: " : " retiring: ") + reason);
  }

  void StartStop(Replica& r) {
    r.phase = Phase::kStopping;
    StopTimings timings;
    // A VM whose agent never answered has nothing to shut down cleanly.
    timings.grace = !r.answered_once              ? milliseconds(0)
                    : shutdown_grace.count() >= 0 ? shutdown_grace
                                                  : StopGrace(r.record.grace_seconds);
    std::string qmp = r.dir + "/" + kQmpSocketFile;
    std::string name = r.name();
    r.stopping =
        std::async(std::launch::async, [vm = std::move(*r.process), qmp, timings, name]() mutable {
          std::ostringstream lines;
          EventLog stop_log(lines, false);
          Result<StopOutcome> outcome = StopVm(vm, qmp, timings, name, stop_log);
          if (outcome.ok()) {
            stop_log.Event(name + " stopped: " + StopOutcomeText(*outcome));
          } else {
            stop_log.Error(outcome.status().message());
          }
          return lines.str();
        });
    r.process.reset();
  }

  void Forget(std::map<int, Replica>::iterator it) {
    Replica& r = it->second;
    StreamConsole(r, true);
    for (Balancer& b : balancers) (void)b.lb.RemoveBackend(r.name());
    if (Status s = ForgetReplica(state, r.record); !s.ok()) log.Error(s.message());
    replicas.erase(it);
  }

  std::string ConsoleTail(const Replica& r) const {
    Result<std::string> text = ReadLogTail(r.dir + "/" + kConsoleLogFile, 16 * 1024);
    std::string tail;
    if (text.ok()) {
      for (const std::string& line : LastLines(*text, kFailureConsoleLines)) {
        tail += "\n  " + std::string(WithoutConsoleTime(line));
      }
    }
    return tail;
  }

  // A replica not yet in service for the first time, whose boot this controller watches.
  static bool WaitsForReadiness(const Replica& r) { return !r.ever_ready && !r.adopted; }

  // Exits, health check results and the replacement rules, for one replica.
  void Observe(Replica& r, Clock::time_point now) {
    if (r.check) {
      if (std::optional<LocalHttpGet::Outcome> outcome = r.check->Advance(now)) {
        r.check.reset();
        bool refused = !outcome->answered && outcome->result != CheckResult::kTimeout;
        r.next_boot_check = now + (refused ? kBootRetry : milliseconds(0));
        if (outcome->answered) {
          r.last_answer = now;
          r.answered_once = true;
        }
        log.Debug(r.name() + " /readyz: " +
                  (outcome->result == CheckResult::kSuccess   ? "200"
                   : outcome->result == CheckResult::kTimeout ? "no answer in time"
                   : outcome->answered                        ? "not ready"
                                                              : "no answer"));
        if (outcome->result == CheckResult::kSuccess) Mark(r, kPhaseReadySeen);
        if (r.health.Record(outcome->result, now)) OnHealthChange(r, now);
      }
    }
    if (r.leaving()) return;
    if (!r.check && WaitsForReadiness(r)) {
      if (r.next_boot_check <= now && r.answered_once) {
        r.check.emplace(r.record.agent_port, "/readyz?wait=" + std::to_string(kReadyWait.count()),
                        now + kReadyWait + settings.health.timeout);
      } else if (r.next_boot_check <= now) {
        r.check.emplace(r.record.agent_port, "/readyz", now + settings.health.timeout);
      }
    } else if (!r.check && r.health.NextCheckDue() <= now) {
      r.check.emplace(r.record.agent_port, "/readyz", now + settings.health.timeout);
    }
    if (shutting_down) return;
    if ((r.ever_ready || r.adopted) && now - r.last_answer >= settings.silent_limit) {
      ++replacements;
      Retire(r,
             "hung (its agent has not answered for " + Seconds(now - r.last_answer) +
                 "); a new VM replaces it",
             now, settings.drain_timeout);
    } else if (r.phase == Phase::kUnhealthy &&
               now - r.unhealthy_since >= settings.unhealthy_limit) {
      ++replacements;
      Retire(r, "unhealthy for " + Seconds(now - r.unhealthy_since) + "; a new VM replaces it", now,
             settings.drain_timeout);
    } else if (r.phase == Phase::kBooting && !rollout && now - r.started >= Deadline(0)) {
      ++replacements;
      last_failure = r.name() + " was not ready after " + Seconds(now - r.started) + ConsoleTail(r);
      BackOff(now);
      Retire(r, "not ready after " + Seconds(now - r.started) + "; a new VM replaces it", now,
             milliseconds(0));
    }
  }

  // VMs that fail to boot are replaced at a slowing pace (1 s doubling to 1 min), as a
  // crash-looping container is restarted.
  void BackOff(Clock::time_point now) {
    ++failed_boots;
    next_launch = now + milliseconds(std::min(1000 << std::min(failed_boots - 1, 6), 60000));
  }

  void OnHealthChange(Replica& r, Clock::time_point now) {
    if (r.leaving()) return;
    if (r.health.InService()) {
      failed_boots = 0;
      bool first = !r.ever_ready;
      r.ever_ready = true;
      r.phase = Phase::kReady;
      SetInService(r, true);
      if (first) Mark(r, kPhaseInBalancer);
      Announce(r.name() + (first ? " ready in " + Seconds(now - r.started) : " healthy again") +
               " (in service)");
      if (rollout && IsCurrent(r)) rollout->last_progress = now;
    } else if (r.health.state() == TargetState::kUnhealthy) {
      if (r.phase == Phase::kReady) {
        r.phase = Phase::kUnhealthy;
        r.unhealthy_since = now;
        SetInService(r, false);
        Announce(r.name() + " unhealthy (GET /readyz failing; out of service)");
      }
    }
  }

  // A rollout's deadline: the command's --timeout, else the manifest's progressDeadlineSeconds.
  milliseconds Deadline(int timeout_seconds) const {
    return std::chrono::seconds(timeout_seconds > 0 ? timeout_seconds
                                                    : target.artifacts.progress_deadline_seconds);
  }

  // --- the rollout -------------------------------------------------------------------------

  void Reconcile(Clock::time_point now) {
    if (now < settle_until) return;
    RolloutSpec spec{target.artifacts.replicas, target.artifacts.max_surge,
                     target.artifacts.max_unavailable, target.artifacts.recreate};
    std::vector<ReplicaView> views;
    for (const auto& [id, r] : replicas) {
      views.push_back({id, IsCurrent(r), r.phase == Phase::kReady, r.leaving()});
    }
    RolloutActions actions = PlanRollout(spec, views);
    for (int id : actions.retire) {
      Replica& r = replicas.at(id);
      Retire(r,
             IsCurrent(r) ? "scaled down"
                          : "replaced by image " + ShortDigest(target.artifacts.image_digest),
             now, settings.drain_timeout);
      if (rollout) rollout->last_progress = now;
    }
    for (int i = 0; i < actions.start && now >= next_launch; ++i) Launch(now);

    if (!rollout) return;
    if (actions.complete) {
      Announce(deployment + ": " + std::to_string(target.artifacts.replicas) + " of " +
               std::to_string(target.artifacts.replicas) + " replicas of image " +
               ShortDigest(target.artifacts.image_digest) + " ready");
      previous.reset();
      AnswerRollout(Status::Ok());
      return;
    }
    if (now - rollout->last_progress < rollout->deadline) return;
    // No replica of the new image became ready within the deadline.
    std::string why;
    for (auto& [id, r] : replicas) {
      if (IsCurrent(r) && !r.leaving() && r.phase != Phase::kReady) {
        why = "; " + r.name() + " is " + PhaseName(r.phase) +
              ", its last console lines:" + ConsoleTail(r);
        break;
      }
    }
    if (why.empty() && !last_failure.empty()) why = "; " + last_failure;
    std::string message = deployment + ": no progress for " + Seconds(rollout->deadline) +
                          " (progress deadline)" + why;
    if (!previous) {
      // Nothing to roll back to: like a Kubernetes Deployment, it keeps trying (and replacing
      // replicas that never get ready); the command that waited fails and says so.
      AnswerRollout(Status::Error(message + "; " + deployment + " keeps running (see 'i2kit-host " +
                                  "logs " + deployment + "', stop it with 'i2kit-host down " +
                                  deployment + "')"));
      return;
    }
    // Roll back: the old image becomes the target again, so the planner retires the new
    // replicas that never got ready and keeps (or restores) the old ones.
    std::string failed_digest = ShortDigest(target.artifacts.image_digest);
    target = *previous;
    previous.reset();
    Announce(deployment + ": update to image " + failed_digest + " stopped; rolling back to " +
             ShortDigest(target.artifacts.image_digest));
    AnswerRollout(Status::Error(message + "; the update was rolled back and image " +
                                ShortDigest(target.artifacts.image_digest) + " keeps serving"));
  }

  void StartRollout(Clock::time_point now, std::optional<UniqueFd> waiter, int timeout_seconds) {
    if (rollout) AnswerRollout(Status::Error("superseded by a newer update"));
    rollout.emplace();
    rollout->last_progress = now;
    rollout->deadline = Deadline(timeout_seconds);
    if (waiter) rollout->waiters.push_back(std::move(*waiter));
  }

  void BeginShutdown(const std::string& reason, milliseconds grace) {
    if (!shutting_down) Announce(deployment + " stopping: " + reason);
    shutting_down = true;
    if (grace.count() >= 0) shutdown_grace = grace;
    Clock::time_point now = Clock::now();
    for (auto& [id, r] : replicas) Retire(r, "stopping the deployment", now, kShutdownDrain);
  }

  // --- the control socket ------------------------------------------------------------------

  void Serve(UniqueFd client, Clock::time_point now) {
    // The client writes its one request line as soon as it connects.
    timeval wait{2, 0};
    (void)::setsockopt(client.get(), SOL_SOCKET, SO_RCVTIMEO, &wait, sizeof wait);
    (void)::setsockopt(client.get(), SOL_SOCKET, SO_SNDTIMEO, &wait, sizeof wait);
    std::string line;
    char c;
    while (line.size() < 64 * 1024 && ::recv(client.get(), &c, 1, 0) == 1 && c != '\n') line += c;
    Result<ControlRequest> request = RequestFromLine(line);
    if (!request.ok()) {
      (void)SendLine(client.get(), ResultLine(request.status()));
      return;
    }
    if (request->op == ControlRequest::Op::kDown) {
      down_waiters.push_back(std::move(client));
      BeginShutdown("down requested", request->grace_seconds >= 0
                                          ? milliseconds(request->grace_seconds * 1000)
                                          : milliseconds(-1));
      return;
    }
    if (shutting_down) {
      (void)SendLine(client.get(), ResultLine(Status::Error(deployment + " is stopping")));
      return;
    }
    Update(*request, now, std::move(client));
  }

  // Takes the new target and starts its rollout, or answers the client why not.
  void Update(const ControlRequest& request, Clock::time_point now, UniqueFd client) {
    auto refuse = [&](const Status& status) { (void)SendLine(client.get(), ResultLine(status)); };
    if (!request.publish.empty() && request.publish != settings.publish) {
      std::string running;
      for (const PublishedPort& p : settings.publish) running += " -p " + FormatPublishedPort(p);
      return refuse(Status::Error(deployment + " runs with" +
                                  (running.empty() ? std::string(" no published port") : running) +
                                  "; ports cannot change in an update: 'i2kit-host down " +
                                  deployment + "' first"));
    }
    Result<VmArtifacts> artifacts = ReadVmArtifacts(request.artifacts_dir);
    if (!artifacts.ok()) return refuse(artifacts.status());
    if (artifacts->deployment != deployment) {
      return refuse(Status::Error(request.artifacts_dir + " holds deployment " +
                                  artifacts->deployment + ", not " + deployment));
    }
    bool same = artifacts->image_digest == target.artifacts.image_digest &&
                artifacts->replicas == target.artifacts.replicas;
    if (!same && !rollout) previous = target;
    target = {std::move(artifacts).value(), request.artifacts_dir};
    StartRollout(now, std::move(client), request.timeout_seconds);
    Announce(deployment + (same ? ": image " : ": rolling out image ") +
             ShortDigest(target.artifacts.image_digest) + " to " +
             std::to_string(target.artifacts.replicas) + " replicas (maxSurge " +
             std::to_string(target.artifacts.max_surge) + ", maxUnavailable " +
             std::to_string(target.artifacts.max_unavailable) + ")");
  }

  // --- the loop ----------------------------------------------------------------------------

  // The console text the replica wrote since the last call, in whole lines (all of it when
  // `last`, as the VM has gone).
  void StreamConsole(Replica& r, bool last) {
    if (!r.console) return;
    Result<std::string> text = r.console->ReadNew();
    out << ShowLines(TakeLines(r.console_carry, text.ok() ? *text : "", last), r.name() + " | ")
        << std::flush;
  }

  void StreamConsoles() {
    for (auto& [id, r] : replicas) StreamConsole(r, false);
  }

  // QEMU appends each console to a file without end (a chatty container wrote a million
  // lines in four minutes): once a second each is kept within kConsoleLogLimits.
  void BoundConsoles(Clock::time_point now) {
    if (now < next_console_rotation) return;
    next_console_rotation = now + std::chrono::seconds(1);
    for (auto& [id, r] : replicas) {
      StreamConsole(r, false);  // what a foreground run shows, before it moves
      if (Status s = RotateAppendedFile(r.dir + "/" + kConsoleLogFile, kConsoleLogLimits);
          !s.ok()) {
        log.Error(s.message());
      }
    }
  }

  void WriteStatus() {
    ControllerStatus s;
    s.deployment = deployment;
    s.labels = target.artifacts.labels;
    s.pid = static_cast<int>(::getpid());
    s.replicas = target.artifacts.replicas;
    s.image_digest = target.artifacts.image_digest;
    s.operation = shutting_down ? "stopping" : rollout ? "rolling out" : "steady";
    s.replacements = replacements;
    for (const Balancer& b : balancers) {
      s.ports.push_back({b.container_port, b.lb.port(), b.published});
    }
    for (const auto& [id, r] : replicas)
      s.members.push_back({id, PhaseName(r.phase), IsCurrent(r)});
    std::string text = ControllerStatusToJson(s);
    if (text == status_written) return;
    if (Status st = WriteFileAtomically(status_path, text); !st.ok()) log.Error(st.message());
    status_written = text;
  }

  void Step(SignalWatch& signals) {
    std::vector<pollfd> fds = {{signals.fd(), POLLIN, 0}, {control.get(), POLLIN, 0}};
    for (const Balancer& b : balancers) fds.push_back({b.lb.fd(), POLLIN, 0});
    for (const auto& [id, r] : replicas) {
      if (r.process) fds.push_back({r.process->pidfd(), POLLIN, 0});
      if (r.check && r.check->fd() >= 0) fds.push_back({r.check->fd(), r.check->events(), 0});
    }
    (void)::poll(fds.data(), fds.size(), static_cast<int>(kTick.count()));
    Clock::time_point now = Clock::now();

    if (std::optional<int> signal = signals.Take()) {
      BeginShutdown(std::string("SIG") + sigabbrev_np(*signal), milliseconds(-1));
    }
    for (;;) {
      UniqueFd client(::accept4(control.get(), nullptr, nullptr, SOCK_CLOEXEC));
      if (!client.valid()) break;
      Serve(std::move(client), now);
    }
    for (Balancer& b : balancers) {
      if (Status s = b.lb.Poll(milliseconds(0)); !s.ok()) log.Error(s.message());
    }
    for (auto it = replicas.begin(); it != replicas.end();) {
      Replica& r = it->second;
      if (r.phase == Phase::kStopping) {
        if (r.stopping.wait_for(std::chrono::seconds(0)) != std::future_status::ready) {
          ++it;
          continue;
        }
        std::string lines = r.stopping.get();
        for (const std::string& line : LastLines(lines, 100)) Announce(line);
        Forget(it++);
        continue;
      }
      if (r.process && r.process->WaitForExit(milliseconds(0))) {
        int status = r.process->wait_status().value_or(0);
        if (!r.ever_ready) {
          last_failure = r.name() + " exited while booting" + ConsoleTail(r);
          BackOff(now);
        }
        if (!shutting_down && r.phase != Phase::kDraining) ++replacements;
        Announce(r.name() + " exited: QEMU " + DescribeWaitStatus(status) +
                 (shutting_down || r.leaving() ? "" : "; a new VM replaces it"));
        Forget(it++);
        continue;
      }
      Observe(r, now);
      if (r.phase == Phase::kDraining && (ActiveConnections(r) == 0 || now >= r.drain_deadline)) {
        StartStop(r);
      }
      ++it;
    }
    if (!shutting_down) Reconcile(now);
    StreamConsoles();
    BoundConsoles(now);
    WriteStatus();
  }
};

DeploymentController::DeploymentController(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

DeploymentController::~DeploymentController() {
  if (!impl_) return;
  ::unlink(impl_->socket_path.c_str());
  ::unlink(impl_->status_path.c_str());
  if (impl_->stopped) {
    // Stopped as asked, with no VM left: `down` leaves nothing behind. Unlinked while still
    // held (see Start).
    ::unlink(impl_->log_path.c_str());
    for (const std::string& older : RotatedPaths(impl_->log_path, kControllerLogLimits)) {
      ::unlink(older.c_str());
    }
    ::unlink(impl_->lock_path.c_str());
    ::rmdir(std::filesystem::path(impl_->lock_path).parent_path().c_str());
  }
}

Result<std::unique_ptr<DeploymentController>> DeploymentController::Start(
    const StateDir& state, ControllerSettings settings, VmArtifacts target,
    std::string artifacts_dir, EventLog& log, std::ostream& out) {
  auto impl = std::make_unique<Impl>(state, std::move(settings), log, out);
  impl->deployment = target.deployment;
  impl->target = {std::move(target), std::move(artifacts_dir)};
  const std::string& deployment = impl->deployment;
  if (Status s = state.MakeControllersDir(); !s.ok()) return s;

  std::string lock_path = ControllerLockPath(state, deployment);
  // A controller that ends removes its lock file while holding it; one that locked the file
  // just before that must not count it as held, so the lock is only ours if the path still
  // names the file locked.
  for (;;) {
    impl->lock.reset(::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600));
    if (!impl->lock.valid()) return SysError("open", lock_path);
    if (::flock(impl->lock.get(), LOCK_EX | LOCK_NB) != 0) {
      if (errno == EWOULDBLOCK) {
        return Status::Error("another i2kit-host already controls deployment " + deployment);
      }
      return SysError("flock", lock_path);
    }
    struct stat held {
    }, current{};
    if (::fstat(impl->lock.get(), &held) != 0) return SysError("fstat", lock_path);
    if (::stat(lock_path.c_str(), &current) == 0 && held.st_ino == current.st_ino &&
        held.st_dev == current.st_dev) {
      break;
    }
  }
  impl->lock_path = lock_path;
  impl->log_path = ControllerLogPath(state, deployment);
  impl->socket_path = ControllerSocketPath(state, deployment);
  impl->status_path = ControllerStatusPath(state, deployment);
  Result<UniqueFd> control = ListenUnix(impl->socket_path);
  if (!control.ok()) return control.status();
  impl->control = std::move(control).value();

  // One balancer per published port, on its host port; one per other TCP port of the Pod, on
  // a port the kernel picks, so that other deployments can reach it (service discovery).
  for (const PublishedPort& p : impl->settings.publish) {
    if (p.protocol != Protocol::kTcp) {
      return Status::Error("-p " + FormatPublishedPort(p) +
                           ": only TCP ports can be published (the local load balancer is TCP)");
    }
    Result<TcpBalancer> lb = TcpBalancer::Listen(p.host_port);
    if (!lb.ok())
      return lb.status().WithContext("publishing 127.0.0.1:" + std::to_string(p.host_port));
    impl->balancers.push_back({p.container_port, true, std::move(lb).value()});
  }
  for (int container_port : impl->ForwardedPorts(impl->target.artifacts)) {
    bool published =
        std::any_of(impl->balancers.begin(), impl->balancers.end(),
                    [&](const Impl::Balancer& b) { return b.container_port == container_port; });
    if (published) continue;
    Result<TcpBalancer> lb = TcpBalancer::Listen(0);
    if (!lb.ok()) return lb.status();
    impl->balancers.push_back({container_port, false, std::move(lb).value()});
  }

  // Adopt what a previous controller left running; clear what has exited.
  Result<std::vector<ReplicaEntry>> entries = state.List(deployment);
  if (!entries.ok()) return entries.status();
  Clock::time_point now = Clock::now();
  for (const ReplicaEntry& entry : *entries) {
    impl->next_id = std::max(impl->next_id, entry.replica + 1);
    if (entry.state != ReplicaState::kRunning || !entry.record) {
      if (entry.state == ReplicaState::kExited) {
        if (Result<DeploymentLock> held = state.LockDeployment(deployment, true); held.ok()) {
          (void)state.RemoveReplica(*held, entry.replica);
        }
      }
      continue;
    }
    Result<VmProcess> process = VmProcess::Attach(entry.record->pid, entry.record->start_time);
    if (!process.ok()) continue;
    Impl::Replica& r =
        impl->Track(LaunchedReplica{*entry.record, entry.dir, std::move(process).value()}, now);
    r.adopted = true;
    // Enough for healthy_threshold checks of a live agent.
    impl->settle_until = now +
                         impl->settings.health.interval * impl->settings.health.healthy_threshold +
                         impl->settings.health.timeout;
    impl->log.Event(r.name() + " adopted (pid " + std::to_string(r.record.pid) + ", image " +
                    ShortDigest(r.record.image_digest) + ")");
  }
  impl->StartRollout(now, std::nullopt, impl->settings.timeout_seconds);
  std::string ports;
  for (const Impl::Balancer& b : impl->balancers) {
    ports += " 127.0.0.1:" + std::to_string(b.lb.port()) + "->" + std::to_string(b.container_port) +
             (b.published ? "" : "(service)");
  }
  impl->log.Event(deployment + ": " + std::to_string(impl->target.artifacts.replicas) +
                  " replicas of image " + ShortDigest(impl->target.artifacts.image_digest) +
                  ", balanced on" + (ports.empty() ? std::string(" no port") : ports));
  return std::unique_ptr<DeploymentController>(new DeploymentController(std::move(impl)));
}

void DeploymentController::AttachInitialWaiter(UniqueFd fd) {
  if (impl_->rollout) impl_->rollout->waiters.push_back(std::move(fd));
}

void DeploymentController::Run(SignalWatch& signals) {
  Impl& c = *impl_;
  while (!(c.shutting_down && c.replicas.empty())) c.Step(signals);
  c.WriteStatus();
  c.Announce(c.deployment + " stopped: no VM left");
  c.stopped = true;
  for (UniqueFd& fd : c.down_waiters) {
    if (fd.valid()) (void)SendLine(fd.get(), ResultLine(Status::Ok()));
  }
  if (c.rollout) c.AnswerRollout(Status::Error(c.deployment + " was stopped"));
}

}  // namespace i2kit
