// Warm starts: a snapshot of a Pod VM taken at its agent's boot-identity request (common/
// boot_identity.h), before any replica's identity, keys, Secrets or containers exist in the
// guest, and restored by each later replica of the same build instead of a cold boot.
//
// The snapshot is QEMU's migration stream (QMP `migrate` to `exec:cat > FILE`; a new QEMU
// with the same devices and `-incoming "exec:cat FILE"` resumes from it). It holds guest
// memory, so it is written 0600 under ROOT/_snapshots/ (private to the user, like every
// state dir; outside the replica dirs, so it outlives `down`): ROOT/_snapshots/
// <deployment>-<key>.vmstate, the key naming everything that must match for a restore to be
// valid. A launch drops the deployment's snapshots of any other key, so `build` of a changed
// Pod (a new build key) drops the old one at the next `run`.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "common/status.h"
#include "common/vm_artifacts.h"
#include "local-vm/qemu_command.h"
#include "local-vm/vm_process.h"

namespace i2kit {

inline constexpr const char* kSnapshotsDir = "_snapshots";
// In a replica's state dir: the snapshot path this replica's VM is to make at its agent's
// boot-identity request; renamed to kSnapshotTakingFile while the snapshot is taken.
inline constexpr const char* kSnapshotWantedFile = "snapshot.wanted";
inline constexpr const char* kSnapshotTakingFile = "snapshot.taking";
// In a replica's state dir: one line saying how making the snapshot went.
inline constexpr const char* kSnapshotLogFile = "snapshot.log";

// What makes a snapshot valid for a launch: the build (its build key and image digest), the
// QEMU binary (`qemu_identity`: QemuBinaryIdentity), and the QEMU command line's shape with
// what is per replica left out (the replica number, host ports, the kernel command line — frozen
// in the snapshot anyway): memory, CPUs, accelerator, kernel (the file booted: bzImage or its
// direct-boot vmlinux, boot_kernel.h) and devices. 64 hex digits.
std::string SnapshotKey(const VmArtifacts& artifacts, const std::string& artifacts_dir,
                        const QemuOptions& options, const std::string& qemu_identity);

// The QEMU binary found on PATH, with its size and modification time: an upgrade changes it.
Result<std::string> QemuBinaryIdentity(const std::string& qemu);

// ROOT/_snapshots/<deployment>-<key>.vmstate
std::string SnapshotPath(const std::string& state_root, const std::string& deployment,
                         const std::string& key);

// Removes the deployment's snapshots other than `keep` (and their unfinished .partial files
// older than `stale`); creates ROOT/_snapshots (0700) if needed.
Status DropOtherSnapshots(const std::string& state_root, const std::string& deployment,
                          const std::string& keep, std::chrono::seconds stale);

// Claims the making of `path`: creates `path`.partial (0600) unless another launch's claim,
// younger than `stale`, is there. False: someone else is making it.
Result<bool> ClaimSnapshot(const std::string& path, std::chrono::seconds stale);

// `argv` plus the option that makes QEMU resume from `path` instead of booting.
std::vector<std::string> RestoreArgv(std::vector<std::string> argv, const std::string& path);

// The VM behind `qmp_socket` stopped, its state written to `path`.partial (claimed) and
// renamed to `path`, then resumed. Resumed on failure too, the .partial removed.
Status TakeSnapshot(const std::string& qmp_socket, const std::string& path,
                    std::chrono::milliseconds timeout);

// Waits until a QEMU started with RestoreArgv has loaded the snapshot, and resumes the guest
// (it was stopped when snapshotted). Fails when QEMU exits
// first (a missing or corrupt snapshot, devices that do not match), naming the last line of
// `qemu_log`, or after `timeout`.
Status AwaitRestore(VmProcess& process, const std::string& qmp_socket, const std::string& qemu_log,
                    std::chrono::milliseconds timeout);

}  // namespace i2kit
