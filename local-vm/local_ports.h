// Asks this host's kernel about ports on 127.0.0.1, where QEMU's user network listens for the
// ports a VM publishes. Answers are only true at the moment they are given: QEMU binds a moment
// later, and if it loses that race it exits with its own error, which `run` reports.
#pragma once

#include "common/pod_model.h"
#include "common/status.h"
#include "common/unique_fd.h"

namespace i2kit {

// Fails, naming the port and errno, if 127.0.0.1:PORT cannot be bound (something listens there).
Status CheckLocalPortFree(int port, Protocol protocol);

// A socket bound to 127.0.0.1:PORT (0: the kernel picks), with SO_REUSEADDR as QEMU's user
// network sets it, so connections lingering in TIME_WAIT do not count as "in use" but a
// listener does. A TCP socket also listens with `backlog`: a TCP port is only taken for QEMU
// once something listens, and listening makes a concurrent run see it as taken.
Result<UniqueFd> BindLoopback(int port, Protocol protocol, int backlog);

// A TCP port on 127.0.0.1 that nothing uses now, chosen by the kernel.
Result<int> PickFreeLocalPort();

}  // namespace i2kit
