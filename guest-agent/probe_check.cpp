#include "guest-agent/probe_check.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <climits>

#include "common/unique_fd.h"
#include "guest-agent/container_runtime.h"
#include "guest-agent/grpc_health_check.h"

namespace i2kit {

using Clock = std::chrono::steady_clock;

UniqueFd ConnectBefore(const std::string& host, int port, Clock::time_point deadline) {
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  if (inet_pton(AF_INET, host.empty() ? "127.0.0.1" : host.c_str(), &addr.sin_addr) != 1) {
    return UniqueFd();
  }
  UniqueFd fd(::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (!fd.valid()) return fd;
  if (::connect(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0) return fd;
  if (errno != EINPROGRESS) return UniqueFd();
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
  pollfd p{fd.get(), POLLOUT, 0};
  if (left.count() <= 0 || ::poll(&p, 1, static_cast<int>(left.count())) != 1) return UniqueFd();
  int error = 0;
  socklen_t len = sizeof error;
  if (::getsockopt(fd.get(), SOL_SOCKET, SO_ERROR, &error, &len) != 0 || error != 0) {
    return UniqueFd();
  }
  return fd;
}

bool CheckTcp(const std::string& host, int port, int timeout_seconds) {
  return ConnectBefore(host, port, Clock::now() + std::chrono::seconds(timeout_seconds)).valid();
}

pid_t StartNetworkProbe(const Probe& probe) {
  pid_t pid = ::fork();
  if (pid != 0) return pid;
  ::syscall(SYS_close_range, 3, UINT_MAX, 0);
  // Not root (tests): nothing to drop.
  if (::geteuid() == 0 && !DropToIdentity(kProbeIdentity)) ::_exit(126);
  bool ok = probe.action == ProbeAction::kGrpc ? CheckGrpcHealth(probe).ok()
            : probe.action == ProbeAction::kTcpSocket || probe.scheme == "HTTPS"
                ? CheckTcp(probe.host, probe.port, probe.timeout_seconds)
                : CheckHttp(probe, probe.timeout_seconds);
  ::_exit(ok ? 0 : 1);
}

int ParseHttpStatus(const std::string& status_line) {
  // "HTTP/1.1 200 OK"
  if (status_line.rfind("HTTP/", 0) != 0) return 0;
  size_t space = status_line.find(' ');
  if (space == std::string::npos || space + 4 > status_line.size()) return 0;
  int code = 0;
  for (size_t i = space + 1; i < space + 4; ++i) {
    char c = status_line[i];
    if (c < '0' || c > '9') return 0;
    code = code * 10 + (c - '0');
  }
  return code;
}

bool CheckHttp(const Probe& probe, int timeout_seconds) {
  Clock::time_point deadline = Clock::now() + std::chrono::seconds(timeout_seconds);
  UniqueFd fd = ConnectBefore(probe.host, probe.port, deadline);
  if (!fd.valid()) return false;
  std::string request = "GET " + probe.path +
                        " HTTP/1.1\r\nHost: " + (probe.host.empty() ? "127.0.0.1" : probe.host) +
                        ":" + std::to_string(probe.port) +
                        "\r\nUser-Agent: i2kit-probe\r\nConnection: close\r\n";
  for (const EnvVar& header : probe.http_headers)
    request += header.name + ": " + header.value + "\r\n";
  request += "\r\n";
  size_t sent = 0;
  std::string response;
  while (response.find('\n') == std::string::npos) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) return false;
    pollfd p{fd.get(), static_cast<short>(sent < request.size() ? POLLOUT : POLLIN), 0};
    if (::poll(&p, 1, static_cast<int>(left.count())) != 1) return false;
    if (sent < request.size()) {
      ssize_t n = ::send(fd.get(), request.data() + sent, request.size() - sent, MSG_NOSIGNAL);
      if (n <= 0) return false;
      sent += static_cast<size_t>(n);
      continue;
    }
    char buffer[512];
    ssize_t n = ::recv(fd.get(), buffer, sizeof buffer, 0);
    if (n <= 0) return false;
    response.append(buffer, static_cast<size_t>(n));
    if (response.size() > 4096) return false;
  }
  int code = ParseHttpStatus(response.substr(0, response.find('\n')));
  return code >= 200 && code < 400;
}

}  // namespace i2kit
