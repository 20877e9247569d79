// i2kit-host down NAME|FILE...: stops Pod VMs cleanly (the power button first, then QMP quit,
// then SIGKILL; see vm_stop.h) and removes their state, exited ones included. NAME is a
// deployment or DEPLOYMENT/REPLICA; FILE an artifacts directory, vm.json or a manifest. A
// deployment's name wins over a same-named path (running_target.h).
// Persistent volumes (volume_images.h) are kept, and said to be, unless --volumes is given.
#include <filesystem>
#include <memory>
#include <ostream>
#include <thread>

#include "common/event_log.h"
#include "host-cli/artifacts_location.h"
#include "host-cli/command.h"
#include "host-cli/running_target.h"
#include "local-cluster/control_channel.h"
#include "local-cluster/controller_files.h"
#include "local-vm/qmp_client.h"
#include "local-vm/state_dir.h"
#include "local-vm/vm_stop.h"
#include "local-vm/volume_images.h"

namespace i2kit {
namespace {

using std::chrono::milliseconds;

struct DownOptions {
  std::vector<std::string> targets;
  int grace_seconds = -1;  // -1: each replica's recorded grace period
  bool volumes = false;    // also delete the deployments' persistent volumes
};

// After a whole deployment is down: its volumes are deleted with --volumes, else named as
// kept. True when it had any.
bool SettleVolumes(const StateDir& state, const std::string& deployment, const DownOptions& options,
                   EventLog& log, bool& failed) {
  std::string dir = state.root() + "/" + kVolumesDir + "/" + deployment;
  std::error_code ec;
  if (!std::filesystem::exists(dir, ec)) return false;
  if (!options.volumes) {
    log.Event(deployment + " volumes kept in " + dir + " ('i2kit-host down --volumes " +
              deployment + "' deletes them and their data)");
    return true;
  }
  Result<std::vector<std::string>> removed = RemoveVolumeImages(state.root(), deployment);
  if (!removed.ok()) {
    log.Error(removed.status().message());
    failed = true;
    return true;
  }
  for (const std::string& path : *removed) log.Event(deployment + " volume deleted: " + path);
  return true;
}

// What the arguments name (running_target.h): a deployment known here by its name even where a
// path of that name exists, else an existing path (its deployments), else DEPLOYMENT[/REPLICA].
// A path holding nothing built is no error of its own: down stops what runs, never builds.
Result<std::vector<ReplicaName>> ResolveTargets(const StateDir& state,
                                                const std::vector<std::string>& targets) {
  std::vector<ReplicaName> names;
  for (const std::string& target : targets) {
    Result<RunningTarget> resolved = ResolveRunningTarget(state, target, /*accept_paths=*/true);
    if (!resolved.ok()) return resolved.status();
    if (resolved->kind == RunningTarget::Kind::kName) {
      names.push_back(resolved->name);
      continue;
    }
    Result<std::vector<std::string>> deployments = DeploymentsOf(target);
    if (!deployments.ok()) {
      if (Result<ReplicaName> name = ParseReplicaName(target); name.ok()) {
        names.push_back(*name);  // a folder of that name with nothing built: the name it is
        continue;
      }
      return Status::Error("nothing to stop for " + target +
                           ": it is neither an artifacts directory nor a manifest");
    }
    // The manifest's Services go with it.
    Result<std::vector<LocalService>> services = LocalServicesOf(target);
    if (services.ok()) {
      for (const LocalService& s : *services) RemoveLocalService(state, s.name);
    }
    for (const std::string& d : *deployments) names.push_back({d, std::nullopt});
  }
  return names;
}

// A replica whose record is missing (its CLI died between starting QEMU and recording it) has
// no pid to signal: QMP quit is all there is, then the alive lock tells when it has gone.
Status QuitUnrecorded(const ReplicaEntry& entry) {
  if (Status s = QmpExecute(entry.dir + "/" + kQmpSocketFile, "quit", milliseconds(2000));
      !s.ok()) {
    return s;
  }
  for (int i = 0; i < 100 && IsLockHeld(entry.dir + "/" + kAliveLockFile); ++i) {
    std::this_thread::sleep_for(milliseconds(100));
  }
  return Status::Ok();
}

Status StopEntry(const ReplicaEntry& entry, const DownOptions& options, EventLog& log) {
  if (entry.state == ReplicaState::kExited) {
    log.Event(entry.name() + " removed (had exited)");
    return Status::Ok();
  }
  if (!entry.record) {
    log.Event(entry.name() + " has no record (its run was interrupted); quitting it through QMP");
    return QuitUnrecorded(entry);
  }
  Result<VmProcess> vm = VmProcess::Attach(entry.record->pid, entry.record->start_time);
  if (!vm.ok()) {
    // The alive lock is held but the recorded process is gone: another process inherited it.
    return vm.status().WithContext(entry.name());
  }
  StopTimings timings;
  timings.grace = options.grace_seconds >= 0 ? std::chrono::seconds(options.grace_seconds)
                                             : StopGrace(entry.record->grace_seconds);
  auto started = std::chrono::steady_clock::now();
  Result<StopOutcome> outcome =
      StopVm(vm.value(), entry.dir + "/" + kQmpSocketFile, timings, entry.name(), log);
  if (!outcome.ok()) return outcome.status();
  auto took = std::chrono::duration_cast<milliseconds>(std::chrono::steady_clock::now() - started);
  log.Event(entry.name() + " stopped: " + StopOutcomeText(*outcome) + " in " + FormatSeconds(took));
  return Status::Ok();
}

// A deployment with a live controller is stopped by it: otherwise it would replace each VM
// stopped under it.
Status StopThroughController(const StateDir& state, const std::string& deployment,
                             const DownOptions& options, EventLog& log) {
  ControlRequest request;
  request.op = ControlRequest::Op::kDown;
  request.grace_seconds = options.grace_seconds;
  if (Status s = CallController(ControllerSocketPath(state, deployment), request,
                                [&](std::string_view event) { log.Event(event); });
      !s.ok()) {
    return s;
  }
  return WaitForControllerExit(state, deployment, std::chrono::seconds(10));
}

ExitCode RunDown(const DownOptions& options, Console& console) {
  EventLog log(console.err, IsTerminal(console.err));
  StateDir state(StateDir::DefaultRoot());
  Result<std::vector<ReplicaName>> names = ResolveTargets(state, options.targets);
  if (!names.ok()) {
    log.Error(names.status().message());
    return ExitCode::kFailure;
  }
  bool failed = false;
  for (const ReplicaName& name : *names) {
    bool stopped_by_controller = false;
    if (ControllerRuns(state, name.deployment)) {
      if (!name.replica) {
        stopped_by_controller = true;
        if (Status s = StopThroughController(state, name.deployment, options, log); !s.ok()) {
          log.Error(s.message());
          failed = true;
          continue;
        }
      } else {
        log.Event("note: " + name.deployment +
                  "'s controller replaces a replica stopped alone; "
                  "'i2kit-host down " +
                  name.deployment + "' stops the deployment");
      }
    }
    // Held throughout: no replica of this deployment is started or removed meanwhile.
    Result<DeploymentLock> lock = state.LockDeployment(name.deployment, /*wait=*/true);
    if (!lock.ok()) {
      log.Error(lock.status().message());
      failed = true;
      continue;
    }
    Result<std::vector<ReplicaEntry>> entries = state.List(name.deployment);
    if (!entries.ok()) {
      log.Error(entries.status().message());
      failed = true;
      continue;
    }
    bool found = false;
    for (const ReplicaEntry& entry : *entries) {
      if (name.replica && entry.replica != *name.replica) continue;
      found = true;
      Status status = StopEntry(entry, options, log);
      if (status.ok()) status = state.RemoveReplica(*lock, entry.replica);
      if (!status.ok()) {
        log.Error(status.message());
        failed = true;
      }
    }
    if (!name.replica && SettleVolumes(state, name.deployment, options, log, failed)) found = true;
    if (!found && !stopped_by_controller) {
      std::string what =
          name.deployment + (name.replica ? "/" + std::to_string(*name.replica) : "");
      log.Error("no VM named " + what + " (see 'i2kit-host ps')");
      failed = true;
    }
  }
  return failed ? ExitCode::kFailure : ExitCode::kOk;
}

}  // namespace

CommandRunner SetupDown(CLI::App& sub) {
  auto options = std::make_shared<DownOptions>();
  sub.add_option("targets", options->targets,
                 "DEPLOYMENT, DEPLOYMENT/REPLICA, an artifacts directory or a manifest (a running "
                 "deployment's name wins over a same-named folder: write ./NAME for the folder)")
      ->required();
  sub.add_option("-t,--grace", options->grace_seconds,
                 "Seconds the guest gets to power off after the power button; 0 skips it "
                 "(default: the Pod's terminationGracePeriodSeconds + 5)")
      ->check(CLI::Range(0, 3600));
  sub.add_flag("--volumes", options->volumes,
               "Also delete the deployments' persistent volumes and the data on them");
  sub.footer("Exit status: 0 every VM named is stopped and removed, 1 otherwise, 2 usage error.");
  return [options](Console& console) { return RunDown(*options, console); };
}

}  // namespace i2kit
