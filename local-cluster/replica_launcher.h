// Starting one replica's VM and recording it in the state dir, and forgetting it once gone:
// the part of `run` that several replicas of several deployments will share.
#pragma once

#include <string>

#include "common/status.h"
#include "common/vm_artifacts.h"
#include "local-vm/boot_timeline.h"
#include "local-vm/qemu_command.h"
#include "local-vm/state_dir.h"
#include "local-vm/vm_process.h"

namespace i2kit {

struct ReplicaLaunch {
  VmArtifacts artifacts;
  std::string artifacts_dir;  // absolute: QEMU runs in the replica's state dir
  // Its replica, agent port and kernel (unless --kernel set it: boot_kernel.h) are filled in
  // by LaunchReplica.
  QemuOptions qemu;
  int replica = 0;
  bool cold = false;  // boot, never restore a warm-start snapshot nor make one (`run --cold`)
};

struct LaunchedReplica {
  ReplicaRecord record;
  std::string dir;    // the replica's state dir
  VmProcess process;  // owned: killed if dropped, unless Detach()ed
  std::string boot;   // how it started, in words: "warm start from a snapshot", "cold boot: …"
  // The start's first boot-timeline mark (kPhaseQemuStarted, or kPhaseRestoreBegan).
  std::vector<TimelineMark> marks;
  std::string kernel;  // which kernel file it booted and why (boot_kernel.h BootKernel::why)
};

// Under the deployment's lock: refuses if the replica is running, removes an exited entry of it,
// picks the agent's host port, creates the replica's state dir and starts QEMU there holding the
// alive lock, then records it. On failure nothing is left behind.
// Unless launch.cold, it restores the deployment's warm-start snapshot of this build
// (vm_snapshot.h) when there is one, waiting until QEMU runs it; a restore that fails is
// followed by a cold boot, and `boot` says so. A cold boot with no snapshot of its build makes
// one (snapshot_point.h), unless another boot already is.
Result<LaunchedReplica> LaunchReplica(const StateDir& state, ReplicaLaunch launch);

// Removes the entry of a VM that has exited, unless another CLI already removed it or a newer
// VM has taken its place (the record no longer names this process). A VM that was to make the
// warm-start snapshot and never did releases its claim, so the next cold boot makes it.
Status ForgetReplica(const StateDir& state, const ReplicaRecord& record);

}  // namespace i2kit
