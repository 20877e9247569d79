// i2kit-host run DIR_OR_FILE: boots a Pod VM under QEMU from the artifacts `build` wrote. In
// the foreground it streams the console until Ctrl-C, then stops the VM cleanly; with -d it
// returns once the Pod is ready and leaves the VM to `ps`, `logs` and `down`.
#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <memory>
#include <ostream>

#include "common/names.h"
#include "common/pod_vm.h"
#include "host-cli/accelerator.h"
#include "host-cli/artifacts_location.h"
#include "host-cli/command.h"
#include "host-cli/console_log.h"
#include "host-cli/event_log.h"
#include "host-cli/host_tsc.h"
#include "host-cli/local_ports.h"
#include "host-cli/readiness.h"
#include "host-cli/replica_launcher.h"
#include "host-cli/signal_watch.h"
#include "host-cli/vm_stop.h"
#include "image-builder/sys_error.h"

namespace i2kit {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

// A probe boot under working KVM ends in well under a second; under a hanging nested KVM it
// never ends. The verdict is cached, so only a host's first run pays this.
constexpr milliseconds kKvmProbeTimeout{8000};
constexpr milliseconds kTick{200};
constexpr milliseconds kReadyCheckPeriod{250};
constexpr milliseconds kReadyCheckTimeout{300};
constexpr size_t kFailureConsoleLines = 20;

struct RunOptions {
  std::string target;
  bool detach = false;
  std::vector<std::string> publish;
  std::string kernel;
  int memory_mib = 0;
  std::string accel = "auto";
  int timeout_seconds = 60;
};

// What happens to a booting or running VM, one event at a time.
class VmWatch {
 public:
  enum class Event { kNothing, kSignal, kExited, kReady };

  VmWatch(LaunchedReplica& vm, SignalWatch& signals)
      : vm_(vm),
        signals_(signals),
        console_(vm.dir + "/" + kConsoleLogFile),
        marker_(pod_vm::kReadyMarker),
        started_(Clock::now()) {}

  // Waits up to one tick; console text that arrived meanwhile is appended to `text`.
  Event Next(std::string& text) {
    pollfd fds[2] = {{signals_.fd(), POLLIN, 0}, {vm_.process.pidfd(), POLLIN, 0}};
    // A failed poll (EINTR) only shortens the tick: everything below is checked regardless.
    (void)::poll(fds, 2, static_cast<int>(kTick.count()));
    if (Result<std::string> more = console_.ReadNew(); more.ok()) {
      marker_.Feed(*more);
      text += *more;
    }
    if ((fds[0].revents & POLLIN) != 0) {
      if (std::optional<int> signal = signals_.Take()) {
        signal_ = *signal;
        return Event::kSignal;
      }
    }
    if (vm_.process.WaitForExit(milliseconds(0))) {
      if (Result<std::string> rest = console_.ReadNew(); rest.ok()) text += *rest;
      return Event::kExited;
    }
    if (!ready_ && (marker_.found() || ReadyCheckDue())) {
      ready_ = marker_.found() || AgentReportsReady(vm_.record.agent_port, kReadyCheckTimeout);
      if (ready_) return Event::kReady;
    }
    return Event::kNothing;
  }

  // The console text not yet read: after the VM has gone, its last words.
  std::string Drain() {
    Result<std::string> rest = console_.ReadNew();
    return rest.ok() ? *rest : std::string();
  }

  milliseconds elapsed() const {
    return std::chrono::duration_cast<milliseconds>(Clock::now() - started_);
  }
  int signal() const { return signal_; }

 private:
  bool ReadyCheckDue() {
    if (Clock::now() < next_ready_check_) return false;
    next_ready_check_ = Clock::now() + kReadyCheckPeriod;
    return true;
  }

  LaunchedReplica& vm_;
  SignalWatch& signals_;
  LogFollower console_;
  MarkerScanner marker_;
  Clock::time_point started_;
  Clock::time_point next_ready_check_;
  bool ready_ = false;
  int signal_ = 0;
};

std::string Name(const ReplicaRecord& record) {
  return record.deployment + "/" + std::to_string(record.replica);
}

std::string PortsText(const ReplicaRecord& record) {
  std::string text = "agent=127.0.0.1:" + std::to_string(record.agent_port);
  for (const PublishedPort& port : record.ports) text += " " + FormatPublishedPort(port);
  return text;
}

// The end of QEMU's own messages and of the console, for a VM that failed.
void ShowFailureLogs(const LaunchedReplica& vm, Console& console) {
  Result<std::string> qemu = ReadLogTail(vm.dir + "/" + kQemuLogFile, 4096);
  if (qemu.ok() && !qemu->empty()) {
    console.err << "QEMU said:\n";
    for (const std::string& line : LastLines(*qemu, 5)) console.err << "  " << line << "\n";
  }
  Result<std::string> text = ReadLogTail(vm.dir + "/" + kConsoleLogFile, 64 * 1024);
  if (text.ok() && !text->empty()) {
    console.err << "last console lines:\n";
    for (const std::string& line : LastLines(*text, kFailureConsoleLines)) {
      console.err << "  " << line << "\n";
    }
  }
}

// Stops the VM (gracefully when `grace` > 0) and removes its state; logs how it ended.
void StopAndForget(const StateDir& state, LaunchedReplica& vm, milliseconds grace, EventLog& log) {
  StopTimings timings;
  timings.grace = grace;
  Result<StopOutcome> outcome =
      StopVm(vm.process, vm.dir + "/" + kQmpSocketFile, timings, Name(vm.record), log);
  if (outcome.ok()) {
    log.Event(Name(vm.record) + " stopped: " + StopOutcomeText(*outcome));
  } else {
    log.Error(outcome.status().message());
  }
  if (Status s = ForgetReplica(state, vm.record); !s.ok()) log.Error(s.message());
}

ExitCode ExitedOnItsOwn(const StateDir& state, LaunchedReplica& vm, EventLog& log,
                        Console& console) {
  int status = vm.process.wait_status().value_or(0);
  bool clean = WIFEXITED(status) && WEXITSTATUS(status) == 0;
  log.Event(Name(vm.record) + " exited: QEMU " + DescribeWaitStatus(status));
  if (!clean) ShowFailureLogs(vm, console);
  if (Status s = ForgetReplica(state, vm.record); !s.ok()) log.Error(s.message());
  return clean ? ExitCode::kOk : ExitCode::kFailure;
}

ExitCode Foreground(const StateDir& state, LaunchedReplica& vm, SignalWatch& signals, EventLog& log,
                    Console& console) {
  VmWatch watch(vm, signals);
  for (;;) {
    std::string text;
    VmWatch::Event event = watch.Next(text);
    if (!text.empty()) console.out << text << std::flush;
    switch (event) {
      case VmWatch::Event::kReady:
        log.Event(Name(vm.record) + " ready in " + FormatSeconds(watch.elapsed()) + " " +
                  PortsText(vm.record));
        break;
      case VmWatch::Event::kSignal:
        log.Event(Name(vm.record) + " stopping on SIG" + sigabbrev_np(watch.signal()));
        StopAndForget(state, vm, StopGrace(vm.record.grace_seconds), log);
        console.out << watch.Drain() << std::flush;
        return ExitCode::kOk;
      case VmWatch::Event::kExited:
        return ExitedOnItsOwn(state, vm, log, console);
      case VmWatch::Event::kNothing:
        break;
    }
  }
}

ExitCode Detached(const StateDir& state, LaunchedReplica& vm, SignalWatch& signals,
                  milliseconds timeout, EventLog& log, Console& console) {
  VmWatch watch(vm, signals);
  for (;;) {
    std::string ignored;
    switch (watch.Next(ignored)) {
      case VmWatch::Event::kReady:
        log.Event(Name(vm.record) + " ready in " + FormatSeconds(watch.elapsed()) + " " +
                  PortsText(vm.record));
        console.out << Name(vm.record) << "\n";
        vm.process.Detach();
        return ExitCode::kOk;
      case VmWatch::Event::kSignal:
        log.Event(Name(vm.record) + " interrupted by SIG" + sigabbrev_np(watch.signal()) +
                  " while booting; stopping it");
        StopAndForget(state, vm, milliseconds(0), log);
        return ExitCode::kFailure;
      case VmWatch::Event::kExited:
        log.Error(Name(vm.record) + " exited while booting");
        ExitedOnItsOwn(state, vm, log, console);
        return ExitCode::kFailure;
      case VmWatch::Event::kNothing:
        break;
    }
    if (watch.elapsed() >= timeout) {
      log.Error(Name(vm.record) + " not ready after " + FormatSeconds(timeout) +
                " (no 200 from GET /readyz, no ready line on the console)");
      ShowFailureLogs(vm, console);
      StopAndForget(state, vm, milliseconds(0), log);
      return ExitCode::kFailure;
    }
    log.Progress(Name(vm.record) + " booting " + FormatSeconds(watch.elapsed()));
  }
}

// Every file QEMU will open, checked now so that the error names the file.
Status CheckReadable(const std::vector<std::string>& paths) {
  for (const std::string& path : paths) {
    if (::access(path.c_str(), R_OK) != 0) return SysError("access", path);
  }
  return Status::Ok();
}

std::string ResolveIn(const std::string& dir, const std::string& path) {
  return path.empty() || path.front() == '/' ? path : dir + "/" + path;
}

ExitCode RunRun(const RunOptions& options, Console& console) {
  EventLog log(console.err, IsTerminal(console.err));
  auto failed = [&](const Status& status, ExitCode code = ExitCode::kFailure) {
    log.Error(status.message());
    return code;
  };
  // Watched from the start: a Ctrl-C during the KVM probe or the boot is handled, so that no
  // QEMU (the probe's included) is left behind.
  Result<SignalWatch> signals = SignalWatch::Create();
  if (!signals.ok()) return failed(signals.status());
  std::vector<PublishedPort> ports;
  for (const std::string& text : options.publish) {
    Result<PublishedPort> port = ParsePublishedPort(text);
    if (!port.ok()) return failed(port.status(), ExitCode::kUsage);
    ports.push_back(*port);
  }
  if (Status s = CheckDistinctHostPorts(ports); !s.ok()) return failed(s, ExitCode::kUsage);

  Result<std::string> dir = ArtifactsDirFor(options.target);
  if (!dir.ok()) return failed(dir.status());
  Result<VmArtifacts> artifacts = ReadVmArtifacts(*dir);
  if (!artifacts.ok()) return failed(artifacts.status());
  const VmArtifacts& a = *artifacts;
  if (std::string problem = CheckDns1123Label(a.deployment); !problem.empty()) {
    return failed(Status::Error(*dir + "/vm.json: deployment name: " + problem));
  }
  if (a.replicas == 0) {
    log.Event(a.deployment + " has replicas: 0; nothing to run");
    return ExitCode::kOk;
  }
  if (a.replicas > 1) {
    log.Event(a.deployment + " has replicas: " + std::to_string(a.replicas) +
              "; this version boots replica 0 only");
  }
  for (const PublishedPort& port : ports) {
    bool declared = false;
    for (const VmPort& p : a.ports) declared |= p.container_port == port.container_port;
    if (!declared) {
      log.Event("warning: " + a.deployment + " declares no container port " +
                std::to_string(port.container_port) + "; publishing it anyway");
    }
  }

  std::string kernel = options.kernel.empty() ? ResolveIn(*dir, a.kernel)
                                              : std::filesystem::absolute(options.kernel).string();
  std::vector<std::string> files = {kernel, ResolveIn(*dir, a.initrd)};
  for (const std::string& disk : a.disks) files.push_back(ResolveIn(*dir, disk));
  if (Status s = CheckReadable(files); !s.ok()) return failed(s);
  for (const PublishedPort& port : ports) {
    if (Status s = CheckLocalPortFree(port.host_port, port.protocol); !s.ok()) return failed(s);
  }

  QemuOptions qemu;
  qemu.kernel = kernel;
  qemu.memory_mib = options.memory_mib;
  qemu.ports = ports;
  AcceleratorRequest request = options.accel == "kvm"   ? AcceleratorRequest::kKvm
                               : options.accel == "tcg" ? AcceleratorRequest::kTcg
                                                        : AcceleratorRequest::kAuto;
  AcceleratorFacts facts =
      HostAcceleratorFacts(qemu.qemu, kernel, DefaultCacheDir(), kKvmProbeTimeout);
  auto run_probe = facts.run_probe;
  facts.run_probe = [&] {
    log.Progress("probing KVM: one boot of the kernel, at most " + FormatSeconds(kKvmProbeTimeout));
    return run_probe();
  };
  Result<AcceleratorChoice> accelerator = ChooseAccelerator(request, facts);
  if (!accelerator.ok()) return failed(accelerator.status());
  qemu.accelerator = accelerator->accelerator;
  if (qemu.accelerator == Accelerator::kTcg) qemu.tcg_tsc_khz = MeasureHostTscKhz();
  log.Event(a.deployment + " accelerator=" + AcceleratorName(qemu.accelerator) + " (" +
            accelerator->reason + ")");

  if (std::optional<int> signal = signals.value().Take()) {
    log.Event(a.deployment + " interrupted by SIG" + sigabbrev_np(*signal) + " before booting");
    return ExitCode::kFailure;
  }
  StateDir state(StateDir::DefaultRoot());
  Result<LaunchedReplica> vm = LaunchReplica(state, {a, *dir, qemu, 0});
  if (!vm.ok()) return failed(vm.status());
  int memory = options.memory_mib > 0 ? options.memory_mib : a.memory_mib;
  log.Event(Name(vm->record) + " booting pid=" + std::to_string(vm->record.pid) +
            " memory=" + std::to_string(memory) + "MiB cpus=" + std::to_string(a.cpus) + " " +
            PortsText(vm->record) + " state=" + vm->dir);
  if (options.detach) {
    return Detached(state, vm.value(), signals.value(),
                    std::chrono::seconds(options.timeout_seconds), log, console);
  }
  return Foreground(state, vm.value(), signals.value(), log, console);
}

}  // namespace

CommandRunner SetupRun(CLI::App& sub) {
  auto options = std::make_shared<RunOptions>();
  sub.add_option("target", options->target,
                 "Artifacts directory written by 'i2kit-host build' (holding vm.json), or the "
                 "manifest it was built from (looked up in ./i2kit-out/<deployment>)")
      ->required();
  sub.add_flag("-d,--detach", options->detach,
               "Return once the Pod is ready and leave the VM running");
  sub.add_option("-p,--publish", options->publish,
                 "Forward 127.0.0.1:HOSTPORT to the Pod's CONTAINERPORT "
                 "(HOSTPORT:CONTAINERPORT[/tcp|/udp]); repeatable");
  sub.add_option("--kernel", options->kernel, "Boot this kernel instead of the artifacts' one")
      ->check(CLI::ExistingFile);
  sub.add_option("--memory", options->memory_mib, "Guest memory in MiB (default: vm.json's)")
      ->check(CLI::Range(16, 1 << 20));
  sub.add_option("--accel", options->accel,
                 "QEMU accelerator; auto uses KVM only if a probe boot proves it works (the "
                 "verdict is cached in ~/.cache/i2kit/accel; delete it to probe again)")
      ->check(CLI::IsMember({"auto", "kvm", "tcg"}));
  sub.add_option("--timeout", options->timeout_seconds,
                 "With -d: seconds to wait for the Pod to become ready")
      ->check(CLI::Range(1, 3600));
  sub.footer(
      "Published ports listen on 127.0.0.1 only. State (console log, QMP socket) lives under "
      "$XDG_STATE_HOME/i2kit.\nExit status: 0 ready (-d) or stopped cleanly, 1 failed, 2 usage "
      "error.");
  return [options](Console& console) { return RunRun(*options, console); };
}

}  // namespace i2kit
