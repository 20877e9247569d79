// One probe attempt, done the blocking way: the supervisor runs it in a short-lived child
// process, so that a slow target never stalls supervision. Success follows Kubernetes: a TCP
// connection accepted, an HTTP status from 200 to 399, an exec command exiting 0.
#pragma once

#include <string>
#include <vector>

#include "common/pod_model.h"

namespace i2kit {

// Connects to host:port (host empty = 127.0.0.1) within `timeout_seconds`.
bool CheckTcp(const std::string& host, int port, int timeout_seconds);

// Sends GET probe.path to host:port and reads the status line within `timeout_seconds`.
bool CheckHttp(const Probe& probe, int timeout_seconds);

// Returns the HTTP status code of a response's first line, or 0 when it is not one.
int ParseHttpStatus(const std::string& status_line);

}  // namespace i2kit
