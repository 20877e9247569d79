// The host's side of the agent's boot-identity request (pod_vm.h kBootIdentityPath), answered
// by `i2kit-host metadata-serve` in a replica's state dir. Usually the replica's identity
// (common/boot_identity.h: its number, the host's clock, fresh entropy). But when the replica's
// launch asked this VM to make the warm-start snapshot (vm_snapshot.h kSnapshotWantedFile),
// the first request claims it and is answered "503 not yet": the agent waits and asks again,
// and meanwhile the host snapshots the VM (TakeSnapshot) — at that point the guest holds
// nothing of any replica's own. The agent's next request, from this VM or any VM restored from
// the snapshot, reaches its own VM's service and gets its own identity.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "local-vm/metadata_service.h"

namespace i2kit {

// Whether `request` (as received) is the agent's boot-identity request: a PUT, no token needed.
bool IsBootIdentityRequest(std::string_view request);

struct SnapshotPointAnswer {
  MetadataResponse response;
  std::string snapshot_path;  // set: take this snapshot once the answer is sent
};

// Answers the boot-identity request of `replica`, whose state dir is `replica_dir`, at
// `now_unix_ns` with `entropy` (kBootEntropyBytes). Claims a wanted snapshot by renaming the
// marker, so of concurrent requests only one takes it; while it is taken, "not yet" too.
SnapshotPointAnswer AnswerBootIdentity(const std::string& replica_dir, int replica,
                                       int64_t now_unix_ns, const std::string& entropy);

}  // namespace i2kit
