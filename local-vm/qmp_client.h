// Just enough of the QEMU Machine Protocol to stop a VM: connect to its unix socket, finish
// the capabilities handshake, run one command and wait for QEMU's answer.
#pragma once

#include <chrono>
#include <string>

#include "common/status.h"

namespace i2kit {

// Runs `command` (e.g. "system_powerdown", "quit") through the QMP socket at `socket_path`.
// Fails naming the socket and the syscall, QEMU's error, or the timeout. Socket paths longer
// than a sockaddr_un holds are reached through /proc/self/fd.
Status QmpExecute(const std::string& socket_path, const std::string& command,
                  std::chrono::milliseconds timeout);

}  // namespace i2kit
