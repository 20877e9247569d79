// How the agent learns which replica it is. Under `run` (the local metadata service, pod_vm.h
// kLocalMetadataAddress) it asks the host (common/boot_identity.h) — from a cold boot and from
// a warm start's restored snapshot alike, one path: the snapshot is taken while the agent
// waits for that answer, so after it each VM's own QEMU answers with that VM's replica number,
// the host's clock (the snapshot's is stale) and fresh entropy (the snapshot's random
// generator state is every restored VM's). On EC2, or run as a test process, the kernel
// command line says (i2kit.replica, 0 when absent) and the kernel's clock and RNG are its own.
#pragma once

#include <chrono>
#include <functional>
#include <string>

#include "common/boot_identity.h"
#include "common/status.h"

namespace i2kit {

// Asks `metadata_address` for the boot identity until it answers (503 "not yet" while the
// host snapshots this VM), each attempt short: a connection open across a snapshot does not
// survive its restore. Fails after `limit`, naming the last error.
Result<BootIdentity> AwaitBootIdentity(const std::string& metadata_address,
                                       std::chrono::milliseconds limit);

// Sets CLOCK_REALTIME to the host's and reseeds the kernel's CRNG with the host's entropy
// (RNDADDENTROPY, then RNDRESEEDCRNG so the next getrandom() reads from the new key), before
// anything else of the Pod runs. Needs CAP_SYS_TIME and CAP_SYS_ADMIN (PID 1).
Status ApplyBootIdentity(const BootIdentity& identity);

// The replica number: from the host (then the clock and the RNG are set from it too) when
// `pid1` under the local metadata service at `metadata_address`, else from `cmdline`.
// `console` gets one line saying which.
Result<int> LearnReplica(bool pid1, const std::string& metadata_address, const std::string& cmdline,
                         const std::function<void(const std::string&)>& console);

}  // namespace i2kit
