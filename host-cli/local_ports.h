// Asks this host's kernel about ports on 127.0.0.1, where QEMU's user network listens for the
// ports a VM publishes. Answers are only true at the moment they are given: QEMU binds a moment
// later, and if it loses that race it exits with its own error, which `run` reports.
#pragma once

#include "common/pod_model.h"
#include "common/status.h"

namespace i2kit {

// Fails, naming the port and errno, if 127.0.0.1:PORT cannot be bound (something listens there).
Status CheckLocalPortFree(int port, Protocol protocol);

// A TCP port on 127.0.0.1 that nothing uses now, chosen by the kernel.
Result<int> PickFreeLocalPort();

}  // namespace i2kit
