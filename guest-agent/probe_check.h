// One probe attempt, done the blocking way: the supervisor runs it in a short-lived child
// process, so that a slow target never stalls supervision. Success follows Kubernetes: a TCP
// connection accepted, an HTTP status from 200 to 399, an exec command exiting 0.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "common/pod_model.h"
#include "common/unique_fd.h"

namespace i2kit {

// A connected, non-blocking socket to host:port (host empty = 127.0.0.1), or an invalid fd
// when it could not connect before `deadline`.
UniqueFd ConnectBefore(const std::string& host, int port,
                       std::chrono::steady_clock::time_point deadline);

// Connects to host:port (host empty = 127.0.0.1) within `timeout_seconds`.
bool CheckTcp(const std::string& host, int port, int timeout_seconds);

// Sends GET probe.path to host:port and reads the status line within `timeout_seconds`.
bool CheckHttp(const Probe& probe, int timeout_seconds);

// Forks a child that makes one httpGet, tcpSocket or grpc attempt (HTTPS: a TCP check; gRPC:
// grpc_health_check.h) and exits 0
// on success; returns its pid, or -1. The child reads what a container answers, so before it
// connects it closes every descriptor above 2 (the agent's listener, signalfd, container
// pipes) and drops to kProbeIdentity (container_runtime.h): no capability, no_new_privs.
pid_t StartNetworkProbe(const Probe& probe);

// Returns the HTTP status code of a response's first line, or 0 when it is not one.
int ParseHttpStatus(const std::string& status_line);

}  // namespace i2kit
