// What a replica learns from the host at boot, over the local metadata service (pod_vm.h
// kBootIdentityPath): its replica number, the host's wall clock and fresh entropy. The agent
// asks for it before anything of the replica's own exists in the guest, so a warm start's
// snapshot (local-vm/vm_snapshot.h) is taken while the agent waits for this answer, and every
// VM restored from it learns who it is, what time it is and reseeds its random generator
// from the answer its own QEMU's service gives — the same path a cold boot takes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.h"

namespace i2kit {

// Bytes of host entropy each answer carries (the kernel's CRNG key is 32).
inline constexpr size_t kBootEntropyBytes = 64;

struct BootIdentity {
  int replica = 0;
  int64_t unix_ns = 0;  // the host's CLOCK_REALTIME when it answered
  std::string entropy;  // kBootEntropyBytes raw bytes from the host's getrandom
};

// {"replica":N,"unixNs":T,"entropy":"<base64>"}
std::string BootIdentityToJson(const BootIdentity& identity);
// Fails naming the field that is missing or wrong (entropy of another size included).
Result<BootIdentity> BootIdentityFromJson(std::string_view text);

}  // namespace i2kit
