// i2kit-host run FILE_OR_DIR: boots a Pod VM under QEMU from the artifacts `build` writes (for a
// manifest, built first when missing or stale: build_key.h). In
// the foreground it streams the console until Ctrl-C, then stops the VM cleanly; with -d it
// returns once the Pod is ready and leaves the VM to `ps`, `logs` and `down`.
#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <csignal>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <memory>

#include "common/event_log.h"
#include "common/manifest_reader.h"
#include "common/names.h"
#include "common/service_directory.h"
#include "common/sys_error.h"
#include "host-cli/artifacts_location.h"
#include "host-cli/build_tools.h"
#include "host-cli/command.h"
#include "local-cluster/control_channel.h"
#include "local-cluster/deployment_controller.h"
#include "local-cluster/signal_watch.h"
#include "local-vm/accelerator.h"
#include "local-vm/host_tsc.h"
#include "local-vm/local_ports.h"
#include "local-vm/pod_secrets_file.h"
#include "local-vm/rotating_log.h"

namespace i2kit {
namespace {

using std::chrono::milliseconds;

// A probe boot under working KVM ends in well under a second; under a hanging nested KVM it
// never ends. The verdict is cached, so only a host's first run pays this.
constexpr milliseconds kKvmProbeTimeout{8000};

struct RunOptions {
  std::string target;
  bool detach = false;
  bool cold = false;
  std::vector<std::string> publish;
  std::string kernel;
  int memory_mib = 0;
  std::string accel = "auto";
  int timeout_seconds = 0;
  std::string domain = kDefaultServiceDomain;
  BuildTools tools;  // when a manifest is built first; its kernel is --kernel
};

// On a terminal, a status line while a rollout is followed: how many replicas of the new image
// are ready, and for how long it has been going.
class RolloutProgress {
 public:
  RolloutProgress(EventLog& log, std::string deployment, int replicas)
      : log_(log), deployment_(std::move(deployment)), replicas_(replicas) {}
  void OnEvent(std::string_view event) {
    log_.Event(event);
    if (event.find(" ready in ") != std::string_view::npos) ++ready_;
    if (event.find(" booting pid=") != std::string_view::npos) ++booted_;
  }
  void OnTick() {
    auto took = std::chrono::duration_cast<milliseconds>(std::chrono::steady_clock::now() - start_);
    log_.Progress(deployment_ + ": " + std::to_string(ready_) + " of " + std::to_string(replicas_) +
                  " new replicas ready, " + std::to_string(booted_) + " booted, " +
                  FormatSeconds(took));
  }

 private:
  EventLog& log_;
  std::string deployment_;
  int replicas_;
  int ready_ = 0;
  int booted_ = 0;
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
};

// A controller already runs the deployment: hand it the new image and follow the rollout.
ExitCode Update(const StateDir& state, const std::string& deployment, int replicas,
                const ControlRequest& request, EventLog& log, Console& console) {
  RolloutProgress progress(log, deployment, replicas);
  FollowHooks hooks;
  hooks.on_tick = [&] { progress.OnTick(); };
  Status result = CallController(
      ControllerSocketPath(state, deployment), request,
      [&](std::string_view event) { progress.OnEvent(event); }, hooks);
  if (!result.ok()) {
    log.Error(result.message());
    return ExitCode::kFailure;
  }
  console.out << deployment << "\n";
  return ExitCode::kOk;
}

// `run -d`: the controller becomes a daemon of its own (a new session, its events in its log
// file) and tells this process, through a socket pair, how its first rollout goes.
ExitCode Detach(const StateDir& state, ControllerSettings settings, VmArtifacts artifacts,
                const std::string& dir, SignalWatch& signals, EventLog& log, Console& console) {
  int pair[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) != 0) {
    log.Error(SysError("socketpair", "run -d").message());
    return ExitCode::kFailure;
  }
  UniqueFd ours(pair[0]), theirs(pair[1]);
  std::string log_path = ControllerLogPath(state, artifacts.deployment);
  if (Status s = state.MakeControllersDir(); !s.ok())
    return (log.Error(s.message()), ExitCode::kFailure);
  std::cout.flush();
  std::cerr.flush();
  pid_t child = ::fork();
  if (child < 0) {
    log.Error(SysError("fork", "run -d").message());
    return ExitCode::kFailure;
  }
  if (child == 0) {
    ours.reset();
    ::setsid();
    // Its events go to a log file kept within kControllerLogLimits (rotating_log.h); its
    // standard descriptors to /dev/null, so nothing writes that file but the rotating sink.
    int null = ::open("/dev/null", O_RDWR | O_CLOEXEC);
    if (null >= 0) {
      ::dup2(null, STDIN_FILENO);
      ::dup2(null, STDOUT_FILENO);
      ::dup2(null, STDERR_FILENO);
    }
    Result<std::unique_ptr<RotatingLogStream>> log_file =
        RotatingLogStream::Open(log_path, kControllerLogLimits);
    if (!log_file.ok()) {
      (void)SendLine(theirs.get(), ResultLine(log_file.status()));
      ::_exit(static_cast<int>(ExitCode::kFailure));
    }
    std::unique_ptr<RotatingLogStream> log_owner = std::move(log_file).value();
    std::ostream& log_stream = log_owner->stream();
    EventLog daemon_log(log_stream, false);
    ExitCode code = ExitCode::kFailure;
    {
      Result<std::unique_ptr<DeploymentController>> controller = DeploymentController::Start(
          state, std::move(settings), std::move(artifacts), dir, daemon_log, log_stream);
      if (!controller.ok()) {
        daemon_log.Error(controller.status().message());
        (void)SendLine(theirs.get(), ResultLine(controller.status()));
      } else {
        (*controller)->AttachInitialWaiter(std::move(theirs));
        (*controller)->Run(signals);
        code = ExitCode::kOk;
      }
    }
    log_owner.reset();  // writes a last line left without its '\n', before _exit
    ::_exit(static_cast<int>(code));
  }
  theirs.reset();
  // Ctrl-C while it boots stops the controller, which stops its VMs and answers.
  RolloutProgress progress(log, artifacts.deployment, artifacts.replicas);
  FollowHooks hooks;
  hooks.interrupt_fd = signals.fd();
  hooks.on_interrupt = [&] {
    if (signals.Take()) {
      log.Event(artifacts.deployment + " interrupted; stopping it");
      ::kill(child, SIGTERM);
    }
  };
  hooks.on_tick = [&] { progress.OnTick(); };
  Status result = FollowReplies(
      ours.get(), [&](std::string_view event) { progress.OnEvent(event); }, hooks);
  if (!result.ok()) {
    log.Error(result.message());
    log.Event("the controller's log: " + log_path);
    return ExitCode::kFailure;
  }
  console.out << artifacts.deployment << "\n";
  return ExitCode::kOk;
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

// Runs (or updates) one deployment from its artifacts directory.
ExitCode RunDeployment(const RunOptions& options, const std::string& artifacts_dir,
                       const std::vector<PublishedPort>& ports, SignalWatch& signals, EventLog& log,
                       Console& console) {
  auto failed = [&](const Status& status, ExitCode code = ExitCode::kFailure) {
    log.Error(status.message());
    return code;
  };
  Result<VmArtifacts> artifacts = ReadVmArtifacts(artifacts_dir);
  if (!artifacts.ok()) return failed(artifacts.status());
  const VmArtifacts& a = *artifacts;
  if (std::string problem = CheckDns1123Label(a.deployment); !problem.empty()) {
    return failed(Status::Error(artifacts_dir + "/vm.json: deployment name: " + problem));
  }
  std::string absolute_dir = std::filesystem::absolute(artifacts_dir).lexically_normal().string();
  StateDir state(StateDir::DefaultRoot());
  if (ControllerRuns(state, a.deployment)) {
    if (!options.kernel.empty() || options.memory_mib > 0 || options.accel != "auto") {
      log.Event("warning: --kernel, --memory and --accel apply when a deployment starts; " +
                a.deployment + " keeps its own");
    }
    ControlRequest request;
    request.artifacts_dir = absolute_dir;
    request.publish = ports;
    request.timeout_seconds = options.timeout_seconds;
    return Update(state, a.deployment, a.replicas, request, log, console);
  }
  if (a.replicas == 0) {
    log.Event(a.deployment + " has replicas: 0; nothing to run");
    return ExitCode::kOk;
  }
  for (const PublishedPort& port : ports) {
    bool declared = false;
    for (const VmPort& p : a.ports) declared |= p.container_port == port.container_port;
    if (!declared) {
      log.Event("warning: " + a.deployment + " declares no container port " +
                std::to_string(port.container_port) + "; publishing it anyway");
    }
  }

  std::string kernel = options.kernel.empty() ? ResolveIn(artifacts_dir, a.kernel)
                                              : std::filesystem::absolute(options.kernel).string();
  std::vector<std::string> files = {kernel, ResolveIn(artifacts_dir, a.initrd)};
  for (const std::string& disk : a.disks) files.push_back(ResolveIn(artifacts_dir, disk));
  if (Status s = CheckReadable(files); !s.ok()) return failed(s);
  for (const PublishedPort& port : ports) {
    if (Status s = CheckLocalPortFree(port.host_port, port.protocol); !s.ok()) return failed(s);
  }

  ControllerSettings settings;
  QemuOptions& qemu = settings.qemu;
  // Empty: each launch chooses between the artifacts' bzImage and its vmlinux (boot_kernel.h).
  if (!options.kernel.empty()) qemu.kernel = kernel;
  qemu.memory_mib = options.memory_mib;
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
  settings.publish = ports;
  settings.timeout_seconds = options.timeout_seconds;
  settings.cold_boot = options.cold;
  // Each replica's metadata service is this very program (metadata_serve.cpp).
  std::error_code self_error;
  std::string self = std::filesystem::read_symlink("/proc/self/exe", self_error).string();
  if (!self_error) qemu.metadata_command = self + " metadata-serve --domain " + options.domain;

  if (std::optional<int> signal = signals.Take()) {
    log.Event(a.deployment + " interrupted by SIG" + sigabbrev_np(*signal) + " before booting");
    return ExitCode::kFailure;
  }
  if (options.detach) {
    return Detach(state, std::move(settings), a, absolute_dir, signals, log, console);
  }
  settings.stream_consoles = true;
  Result<std::unique_ptr<DeploymentController>> controller =
      DeploymentController::Start(state, std::move(settings), a, absolute_dir, log, console.out);
  if (!controller.ok()) return failed(controller.status());
  (*controller)->Run(signals);
  return ExitCode::kOk;
}

// The published ports of each directory in `dirs`: with several deployments, a port goes to the
// one that declares its container port.
Result<std::vector<std::vector<PublishedPort>>> AssignPorts(
    const std::vector<std::string>& dirs, const std::vector<PublishedPort>& ports) {
  std::vector<std::vector<PublishedPort>> assigned(dirs.size());
  if (dirs.size() == 1) {
    assigned[0] = ports;
    return assigned;
  }
  std::vector<VmArtifacts> artifacts;
  for (const std::string& dir : dirs) {
    Result<VmArtifacts> a = ReadVmArtifacts(dir);
    if (!a.ok()) return a.status();
    artifacts.push_back(std::move(a).value());
  }
  for (const PublishedPort& port : ports) {
    std::vector<size_t> declaring;
    for (size_t i = 0; i < artifacts.size(); ++i) {
      for (const VmPort& p : artifacts[i].ports) {
        if (p.container_port == port.container_port) {
          declaring.push_back(i);
          break;
        }
      }
    }
    if (declaring.size() != 1) {
      std::string names;
      for (size_t i : declaring) names += (names.empty() ? "" : ", ") + artifacts[i].deployment;
      return Status::Error("-p " + FormatPublishedPort(port) + ": " +
                           (declaring.empty() ? std::string("no deployment declares that port")
                                              : "several deployments declare it (" + names + ")") +
                           "; run their artifacts directories one at a time");
    }
    assigned[declaring[0]].push_back(port);
  }
  return assigned;
}

// The artifacts directories to run: the one named, or those of the manifest's deployments in
// ./i2kit-out, each built first when missing or stale (its Secrets file written afresh).
Result<std::vector<std::string>> DirsToRun(const RunOptions& options, EventLog& log,
                                           bool terminal) {
  if (std::string dir = ArtifactsDirOf(options.target); !dir.empty()) {
    return std::vector<std::string>{dir};
  }
  std::error_code error;
  if (!std::filesystem::exists(options.target, error)) {
    return Status::Error(options.target + ": no such file or directory");
  }
  LoadedManifest loaded = LoadManifests({options.target}, ReadOptions{});
  for (const Diagnostic& d : loaded.diagnostics.all()) log.Event(d.Format());
  if (!loaded.ok()) return Status::Error(options.target + ": not a valid manifest");
  if (loaded.manifest.deployments.empty()) {
    return Status::Error(options.target + ": the manifest has no deployment");
  }
  BuildTools tools = options.tools;
  tools.kernel = options.kernel;
  Result<std::vector<BuiltDeployment>> built = BuildDeployments(
      loaded.manifest.deployments, loaded.manifest, tools, kDefaultOutputDir, log, terminal);
  if (!built.ok()) return built.status();
  std::vector<std::string> dirs;
  for (size_t i = 0; i < built->size(); ++i) {
    const BuiltDeployment& b = (*built)[i];
    if (Status s =
            WritePodSecretsFile(b.dir, loaded.manifest.deployments[i], loaded.manifest.secrets);
        !s.ok()) {
      return s;
    }
    log.Event(b.artifacts.deployment + (b.reused ? ": up to date, image " : ": built image ") +
              b.artifacts.image_digest);
    dirs.push_back(b.dir);
  }
  return dirs;
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
  Result<std::vector<std::string>> dirs = DirsToRun(options, log, IsTerminal(console.err));
  if (!dirs.ok()) return failed(dirs.status());
  if (dirs->size() > 1 && !options.detach) {
    return failed(Status::Error(options.target + " has " + std::to_string(dirs->size()) +
                                " deployments: run them with -d, each under its own controller, "
                                "then follow them with 'i2kit-host logs NAME -f'"),
                  ExitCode::kUsage);
  }
  Result<std::vector<std::vector<PublishedPort>>> assigned = AssignPorts(*dirs, ports);
  if (!assigned.ok()) return failed(assigned.status(), ExitCode::kUsage);
  // The Services as `build` planned them (vm.json), read once for the NodePorts and the names.
  Result<std::vector<ServicePlan>> plans = ServicePlansOf(options.target);
  if (!plans.ok()) return failed(plans.status());
  // NodePort Services: published like -p on their nodePort, by their Deployment's controller.
  Result<std::vector<NodePortPublish>> node_ports = NodePortsOfPlan(*plans);
  if (!node_ports.ok()) return failed(node_ports.status());
  for (const NodePortPublish& n : *node_ports) {
    for (size_t i = 0; i < dirs->size(); ++i) {
      if (std::filesystem::path((*dirs)[i]).filename() != n.deployment) continue;
      assigned.value()[i].push_back(n.port);
      log.Event("NodePort Service " + n.service + " → " + FormatPublishedPort(n.port) + " on " +
                n.deployment + "'s replicas");
    }
  }
  for (const std::vector<PublishedPort>& per_dir : *assigned) {
    if (Status s = CheckDistinctHostPorts(per_dir); !s.ok()) return failed(s, ExitCode::kUsage);
  }
  // The manifest's Services become names in the local service directory.
  StateDir state(StateDir::DefaultRoot());
  for (const LocalService& service : LocalServicesOfPlan(*plans)) {
    if (Status s = WriteLocalService(state, service); !s.ok()) return failed(s);
    log.Event("service " + service.name + " resolves to the deployments its selector matches");
  }
  for (size_t i = 0; i < dirs->size(); ++i) {
    ExitCode code =
        RunDeployment(options, (*dirs)[i], (*assigned)[i], signals.value(), log, console);
    if (code != ExitCode::kOk) return code;
  }
  return ExitCode::kOk;
}

}  // namespace

CommandRunner SetupRun(CLI::App& sub) {
  auto options = std::make_shared<RunOptions>();
  sub.add_option("target", options->target,
                 "A manifest (each deployment built into ./i2kit-out/<deployment> first when "
                 "missing or stale), or an artifacts directory written by 'i2kit-host build' "
                 "(holding vm.json), run as it is")
      ->required();
  sub.add_flag("-d,--detach", options->detach,
               "Return once the Pod is ready and leave the VM running");
  sub.add_flag("--cold", options->cold,
               "Boot every replica; never start one from this build's warm-start snapshot");
  sub.add_option("-p,--publish", options->publish,
                 "Forward 127.0.0.1:HOSTPORT to the Pod's CONTAINERPORT "
                 "(HOSTPORT:CONTAINERPORT[/tcp|/udp]); repeatable");
  sub.add_option("--kernel", options->kernel,
                 "Boot this kernel instead of the artifacts' one (a manifest's Pod VM is built "
                 "with it)")
      ->check(CLI::ExistingFile);
  AddBuildToolOptions(sub, options->tools, BuildToolKernel::kOmitted);
  sub.add_option("--memory", options->memory_mib, "Guest memory in MiB (default: vm.json's)")
      ->check(CLI::Range(16, 1 << 20));
  sub.add_option("--accel", options->accel,
                 "QEMU accelerator; auto uses KVM only if a probe boot proves it works (the "
                 "verdict is cached in ~/.cache/i2kit/accel; delete it to probe again)")
      ->check(CLI::IsMember({"auto", "kvm", "tcg"}));
  sub.add_option("--timeout", options->timeout_seconds,
                 "Seconds a rollout may go without a replica becoming ready before it fails "
                 "(an update then rolls back); default: the manifest's progressDeadlineSeconds")
      ->check(CLI::Range(1, 3600));
  sub.add_option("--domain", options->domain,
                 "The domain the Pods' containers may add to deployment names (NAME.DOMAIN)")
      ->check([](const std::string& domain) { return CheckServiceDomain(domain); });
  sub.footer(
      "Published ports listen on 127.0.0.1 only. State (console log, QMP socket) lives under "
      "$XDG_STATE_HOME/i2kit.\nExit status: 0 ready (-d) or stopped cleanly, 1 failed, 2 usage "
      "error.");
  return [options](Console& console) { return RunRun(*options, console); };
}

}  // namespace i2kit
