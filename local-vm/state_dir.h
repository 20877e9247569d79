// Per-user state of the VMs `run` starts, so that `ps`, `logs` and `down` find them later, and
// a CLI that crashed can be rerun and find its VMs. Under ROOT ($XDG_STATE_HOME/i2kit or
// ~/.local/state/i2kit), private to the user (0700: the QMP socket controls the VM):
//   ROOT/<deployment>.lock          flock()ed while replicas of the deployment are added/removed
//   ROOT/<deployment>/<replica>/    one directory per replica, named by its number:
//     alive.lock    flock()ed by the QEMU process itself through an inherited descriptor, so it
//                   is held exactly as long as the VM lives, whatever happens to the CLI
//     replica.json  the ReplicaRecord, written (atomically) once QEMU runs
//     console.log   the serial console;  qemu.log  QEMU's own messages;  qmp.sock  QMP
//     imds.key      signs the replica's instance-metadata tokens
//   ROOT/_controllers/<deployment>.*   the deployment's controller (deployment_controller.h):
//     .lock  flock()ed while it lives;  .sock  its control socket;  .status.json  what it sees;
//     .log  its events when detached. "_" is no DNS label, so no deployment is named so.
//   ROOT/_snapshots/<deployment>-<key>.vmstate   a warm-start snapshot (vm_snapshot.h)
// Several deployments, and several replicas of one, live side by side.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "common/unique_fd.h"
#include "local-vm/port_mapping.h"

namespace i2kit {

inline constexpr const char* kAliveLockFile = "alive.lock";
inline constexpr const char* kRecordFile = "replica.json";
inline constexpr const char* kConsoleLogFile = "console.log";
inline constexpr const char* kQemuLogFile = "qemu.log";
inline constexpr const char* kQmpSocketFile = "qmp.sock";
// The key that signs the replica's metadata tokens (metadata_service.h), made at launch.
inline constexpr const char* kMetadataKeyFile = "imds.key";
inline constexpr const char* kControllersDir = "_controllers";

// What `run` records about a replica it started.
struct ReplicaRecord {
  std::string deployment;
  int replica = 0;
  pid_t pid = 0;
  uint64_t start_time = 0;   // with the pid, the QEMU process's identity (vm_process.h)
  int64_t created_unix = 0;  // when it was started, seconds since the epoch
  std::string artifacts_dir;
  std::string image_digest;
  std::string accelerator;  // "kvm" or "tcg"
  std::vector<PublishedPort> ports;
  int agent_port = 0;  // 127.0.0.1 port forwarded to the agent
  int exec_port = 0;   // 127.0.0.1 port forwarded to the agent's exec server (0: none)
  int grace_seconds = 30;

  bool operator==(const ReplicaRecord&) const = default;
};

std::string RecordToJson(const ReplicaRecord& record);
// Fails naming the field that is missing or wrong.
Result<ReplicaRecord> RecordFromJson(std::string_view text);

enum class ReplicaState {
  kStarting,  // its VM is being started: alive lock held, no record yet
  kRunning,   // the VM lives (alive lock held)
  kExited,    // the VM has gone; the entry stays for `logs` until `down` or the next `run`
};

struct ReplicaEntry {
  std::string deployment;
  int replica = 0;
  std::string dir;
  ReplicaState state = ReplicaState::kExited;
  std::optional<ReplicaRecord> record;

  // "web/0"
  std::string name() const { return deployment + "/" + std::to_string(replica); }
};

// An exclusive hold on one deployment's entries; released when destroyed. A deployment left
// with no replica then leaves nothing behind: its directory and lock file are removed.
class DeploymentLock {
 public:
  DeploymentLock(DeploymentLock&&) = default;
  DeploymentLock& operator=(DeploymentLock&&) = delete;
  ~DeploymentLock();
  const std::string& deployment() const { return deployment_; }

 private:
  friend class StateDir;
  DeploymentLock(std::string deployment, std::string dir, std::string path, UniqueFd fd)
      : deployment_(std::move(deployment)),
        dir_(std::move(dir)),
        path_(std::move(path)),
        fd_(std::move(fd)) {}
  std::string deployment_;
  std::string dir_;   // ROOT/<deployment>
  std::string path_;  // ROOT/<deployment>.lock
  UniqueFd fd_;
};

class StateDir {
 public:
  explicit StateDir(std::string root) : root_(std::move(root)) {}
  // $XDG_STATE_HOME/i2kit, else $HOME/.local/state/i2kit.
  static std::string DefaultRoot();

  const std::string& root() const { return root_; }
  std::string ReplicaDir(std::string_view deployment, int replica) const;

  // Takes the deployment's lock, waiting for it when `wait`, else failing at once if held.
  Result<DeploymentLock> LockDeployment(const std::string& deployment, bool wait) const;
  // Creates the replica's directory (it must not exist) and returns its alive lock, locked:
  // the caller hands it to the QEMU process and closes its own copy.
  Result<UniqueFd> CreateReplica(const DeploymentLock& lock, int replica) const;
  // Writes DIR/replica.json through a temporary file and rename.
  Status WriteRecord(const ReplicaRecord& record) const;
  // ROOT/_controllers/<deployment><suffix>, e.g. suffix ".sock".
  std::string ControllerPath(std::string_view deployment, std::string_view suffix) const;
  // Creates ROOT/_controllers (private) if needed.
  Status MakeControllersDir() const;
  // Removes the replica's directory (the deployment's own goes with the lock, once empty).
  // Refuses while the VM lives.
  Status RemoveReplica(const DeploymentLock& lock, int replica) const;
  // Every replica (or only `deployment`'s), sorted by deployment then number. Leftovers of a CLI
  // that died before its VM started (no record, nobody holding the alive lock) are deleted.
  Result<std::vector<ReplicaEntry>> List(const std::string& deployment = "") const;

 private:
  Result<ReplicaEntry> ReadEntry(const std::string& deployment, int replica) const;
  std::string root_;
};

// A replica named on the command line: "web" (the deployment) or "web/1" (one replica).
struct ReplicaName {
  std::string deployment;
  std::optional<int> replica;
};
// Fails naming what is wrong with `text`.
Result<ReplicaName> ParseReplicaName(std::string_view text);

// Writes `path` through a temporary file and rename(): readers see the old or the new text.
Status WriteFileAtomically(const std::string& path, std::string_view data);

// Whether some process holds the flock on `path` (false when the file does not exist).
bool IsLockHeld(const std::string& path);

}  // namespace i2kit
