#include "local-cluster/replica_launcher.h"

#include <fcntl.h>
#include <sys/random.h>
#include <unistd.h>

#include <chrono>
#include <ctime>

#include "common/event_log.h"
#include "common/sys_error.h"
#include "common/text_file.h"
#include "image-builder/sha256.h"
#include "local-vm/boot_kernel.h"
#include "local-vm/local_ports.h"
#include "local-vm/vm_snapshot.h"
#include "local-vm/volume_images.h"

namespace i2kit {
namespace {

// Clears the way for `replica`: fails if it runs, removes it if it has exited.
Status ClearReplicaSlot(const StateDir& state, const DeploymentLock& lock, int replica) {
  Result<std::vector<ReplicaEntry>> entries = state.List(lock.deployment());
  if (!entries.ok()) return entries.status();
  for (const ReplicaEntry& entry : *entries) {
    if (entry.replica != replica) continue;
    if (entry.state != ReplicaState::kExited) {
      std::string pid = entry.record ? " (pid " + std::to_string(entry.record->pid) + ")" : "";
      return Status::Error(entry.name() + " is already running" + pid + "; stop it with " +
                           "'i2kit-host down " + lock.deployment() + "'");
    }
    return state.RemoveReplica(lock, replica);
  }
  // Not listed but present: a stale leftover, which List could not clean while we hold the lock.
  if (::access(state.ReplicaDir(lock.deployment(), replica).c_str(), F_OK) == 0) {
    return state.RemoveReplica(lock, replica);
  }
  return Status::Ok();
}

// A claim on making a snapshot older than this belongs to a VM that died before its snapshot
// point; the snapshot is taken in well under a minute.
constexpr std::chrono::seconds kStaleSnapshotClaim(600);

// Whether a replica restores a snapshot, boots and makes one, or just boots.
struct BootPlan {
  std::string restore_from;  // a snapshot to restore
  std::string make;          // a snapshot this cold boot makes (claimed)
  std::string note;
};

BootPlan PlanBoot(const StateDir& state, const ReplicaLaunch& launch) {
  // A writable disk's cache would be in the snapshot, and only one VM may hold the disk.
  if (!launch.artifacts.volumes.empty()) {
    return {"", "", "cold boot (a Pod with persistent volumes is never restored)"};
  }
  // Without the local metadata service the agent cannot learn who it is after a restore.
  if (launch.qemu.metadata_command.empty()) return {"", "", "cold boot"};
  Result<std::string> qemu = QemuBinaryIdentity(launch.qemu.qemu);
  if (!qemu.ok()) return {"", "", "cold boot (" + qemu.status().message() + ")"};
  const std::string& deployment = launch.artifacts.deployment;
  std::string path =
      SnapshotPath(state.root(), deployment,
                   SnapshotKey(launch.artifacts, launch.artifacts_dir, launch.qemu, *qemu));
  if (Status s = DropOtherSnapshots(state.root(), deployment, path, kStaleSnapshotClaim); !s.ok()) {
    return {"", "", "cold boot (" + s.message() + ")"};
  }
  if (::access(path.c_str(), F_OK) == 0) return {path, "", "warm start from a snapshot"};
  Result<bool> claimed = ClaimSnapshot(path, kStaleSnapshotClaim);
  if (!claimed.ok()) return {"", "", "cold boot (" + claimed.status().message() + ")"};
  if (!*claimed) return {"", "", "cold boot (the snapshot of this build is being made)"};
  return {"", path, "cold boot (no snapshot of this build yet: this boot makes one)"};
}

// The kernel files' digests, hashed once per file version for every launch of this process.
const FileDigestFn& KernelDigest() {
  static const FileDigestFn digest = RememberedFileDigest(Sha256OfFile);
  return digest;
}

// LaunchReplica's one attempt. A restore that fails leaves nothing behind, returns an error
// and sets `restore_failure`.
Result<LaunchedReplica> LaunchOnce(const StateDir& state, ReplicaLaunch launch,
                                   const std::string& why, std::string* restore_failure) {
  const std::string& deployment = launch.artifacts.deployment;
  Result<DeploymentLock> lock = state.LockDeployment(deployment, /*wait=*/false);
  if (!lock.ok()) return lock.status();
  if (Status s = ClearReplicaSlot(state, *lock, launch.replica); !s.ok()) return s;
  Result<int> agent_port = PickFreeLocalPort();
  if (!agent_port.ok()) return agent_port.status().WithContext("choosing the agent's port");
  Result<int> exec_port = PickFreeLocalPort();
  if (!exec_port.ok()) return exec_port.status().WithContext("choosing the exec port");
  launch.qemu.exec_host_port = *exec_port;
  launch.qemu.replica = launch.replica;
  launch.qemu.agent_host_port = *agent_port;
  launch.qemu.console_log = kConsoleLogFile;
  launch.qemu.qmp_socket = kQmpSocketFile;
  launch.qemu.volume_images.clear();
  // Chosen before the snapshot key, which covers the kernel file QEMU is given: a snapshot's
  // restore must be given the same -kernel as the VM that made it.
  BootKernel kernel =
      ChooseBootKernel(launch.artifacts, launch.artifacts_dir, launch.qemu.kernel, KernelDigest());
  launch.qemu.kernel = kernel.path;
  for (const VmVolume& volume : launch.artifacts.volumes) {
    Result<std::string> image = EnsureVolumeImage(state.root(), deployment, volume);
    if (!image.ok()) return image.status();
    launch.qemu.volume_images.push_back(*image);
  }

  BootPlan plan = launch.cold ? BootPlan{"", "", "cold boot (--cold)"} : PlanBoot(state, launch);
  plan.note = why + plan.note;

  Result<UniqueFd> alive = state.CreateReplica(*lock, launch.replica);
  if (!alive.ok()) return alive.status();
  std::string dir = state.ReplicaDir(deployment, launch.replica);
  auto fail = [&](const Status& status) -> Result<LaunchedReplica> {
    alive.value().reset();
    (void)state.RemoveReplica(*lock, launch.replica);
    if (!plan.make.empty()) (void)::unlink((plan.make + ".partial").c_str());
    return status;
  };
  if (!plan.make.empty()) {
    if (Status s = WriteFileAtomically(dir + "/" + kSnapshotWantedFile, plan.make); !s.ok()) {
      return fail(s);
    }
  }
  // A key per replica for its metadata tokens: 32 random bytes, hex.
  {
    unsigned char random[32];
    if (::getrandom(random, sizeof random, 0) != static_cast<ssize_t>(sizeof random)) {
      return fail(SysError("getrandom", dir));
    }
    std::string key = HexEncode(random, sizeof random);
    if (Status s = WriteFileAtomically(dir + "/" + kMetadataKeyFile, key); !s.ok()) return fail(s);
  }
  std::string qemu_log = dir + "/" + kQemuLogFile;
  UniqueFd output(::open(qemu_log.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
  if (!output.valid()) return fail(SysError("open", qemu_log));
  const auto spawned_at = std::chrono::steady_clock::now();
  std::vector<std::string> argv = QemuArgv(launch.artifacts, launch.artifacts_dir, launch.qemu);
  if (!plan.restore_from.empty()) argv = RestoreArgv(std::move(argv), plan.restore_from);
  const double spawned =
      std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
  Result<VmProcess> process = VmProcess::Spawn({argv, dir, output.get(), alive->get()});
  if (!process.ok()) {
    return fail(process.status().WithContext("starting QEMU (Debian package qemu-system-x86)"));
  }
  // From here QEMU alone holds the alive lock: it is released exactly when QEMU exits.
  alive.value().reset();

  ReplicaRecord record;
  record.deployment = deployment;
  record.replica = launch.replica;
  record.pid = process->pid();
  record.start_time = process->start_time();
  record.created_unix = static_cast<int64_t>(std::time(nullptr));
  record.artifacts_dir = launch.artifacts_dir;
  record.image_digest = launch.artifacts.image_digest;
  record.accelerator = AcceleratorName(launch.qemu.accelerator);
  record.ports = launch.qemu.ports;
  record.agent_port = *agent_port;
  record.exec_port = *exec_port;
  record.grace_seconds = launch.artifacts.termination_grace_period_seconds;
  if (Status s = state.WriteRecord(record); !s.ok()) {
    { VmProcess doomed = std::move(process).value(); }  // killed and reaped here
    return fail(s);
  }
  if (!plan.restore_from.empty()) {
    // A generous limit: under load a restore of 64 MiB can take seconds.
    Status restored = AwaitRestore(process.value(), dir + "/" + kQmpSocketFile,
                                   dir + "/" + kQemuLogFile, std::chrono::seconds(60));
    if (!restored.ok()) {
      { VmProcess doomed = std::move(process).value(); }  // killed and reaped here
      // Refused once, refused always: the next cold boot makes a new one.
      (void)::unlink(plan.restore_from.c_str());
      *restore_failure = restored.message();
      return fail(restored.WithContext("restoring " + plan.restore_from));
    }
    plan.note += " (running " +
                 FormatSeconds(std::chrono::duration_cast<std::chrono::milliseconds>(
                     std::chrono::steady_clock::now() - spawned_at)) +
                 " after QEMU started)";
  }
  const char* first = plan.restore_from.empty() ? kPhaseQemuStarted : kPhaseRestoreBegan;
  return LaunchedReplica{
      std::move(record), dir, std::move(process).value(), plan.note, {{first, spawned, {}, false}},
      kernel.why};
}

}  // namespace

Result<LaunchedReplica> LaunchReplica(const StateDir& state, ReplicaLaunch launch) {
  std::string restore_failure;
  Result<LaunchedReplica> launched = LaunchOnce(state, launch, "", &restore_failure);
  if (launched.ok() || restore_failure.empty()) return launched;
  return LaunchOnce(state, launch, "restoring the snapshot failed (" + restore_failure + "), ",
                    &restore_failure);
}

Status ForgetReplica(const StateDir& state, const ReplicaRecord& record) {
  Result<DeploymentLock> lock = state.LockDeployment(record.deployment, /*wait=*/true);
  if (!lock.ok()) return lock.status();
  Result<std::vector<ReplicaEntry>> entries = state.List(record.deployment);
  if (!entries.ok()) return entries.status();
  for (const ReplicaEntry& entry : *entries) {
    if (entry.replica != record.replica || entry.state != ReplicaState::kExited) continue;
    if (entry.record->pid != record.pid || entry.record->start_time != record.start_time) continue;
    // A VM that was to make the snapshot and died before its snapshot point gives up its claim.
    std::string wanted = ReadTextFile(entry.dir + "/" + kSnapshotWantedFile);
    if (!wanted.empty()) (void)::unlink((wanted + ".partial").c_str());
    return state.RemoveReplica(*lock, record.replica);
  }
  return Status::Ok();
}

}  // namespace i2kit
