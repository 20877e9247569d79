// Just enough of the QEMU Machine Protocol to stop a VM and to snapshot one: connect to its unix
// socket, finish the capabilities handshake, run one command and wait for QEMU's answer.
#pragma once

#include <chrono>
#include <nlohmann/json.hpp>
#include <string>

#include "common/status.h"

namespace i2kit {

// Runs `command` (e.g. "system_powerdown", "quit") through the QMP socket at `socket_path`.
// Fails naming the socket and the syscall, QEMU's error, or the timeout. Socket paths longer
// than a sockaddr_un holds are reached through /proc/self/fd.
Status QmpExecute(const std::string& socket_path, const std::string& command,
                  std::chrono::milliseconds timeout);

// Runs `command` with `arguments` (a JSON object; null for none) and returns the value QEMU
// answers with ({"return": VALUE}); fails as QmpExecute does.
Result<nlohmann::json> QmpCommand(const std::string& socket_path, const std::string& command,
                                  const nlohmann::json& arguments,
                                  std::chrono::milliseconds timeout);

}  // namespace i2kit
