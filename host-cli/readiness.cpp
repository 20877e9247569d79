#include "host-cli/readiness.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>

#include <charconv>

#include "common/unique_fd.h"

namespace i2kit {
namespace {

using Clock = std::chrono::steady_clock;

int MillisecondsLeft(Clock::time_point deadline) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
  return static_cast<int>(std::max<int64_t>(0, left.count()));
}

// Waits for `events` on `fd` until `deadline`; false on timeout or error.
bool WaitFor(int fd, short events, Clock::time_point deadline) {
  for (;;) {
    pollfd p{fd, events, 0};
    int ready = ::poll(&p, 1, MillisecondsLeft(deadline));
    if (ready < 0 && errno == EINTR) continue;
    return ready > 0;
  }
}

}  // namespace

std::optional<int> HttpStatusCode(std::string_view response) {
  if (!response.starts_with("HTTP/1.")) return std::nullopt;
  size_t space = response.find(' ');
  if (space == std::string_view::npos || response.size() < space + 4) return std::nullopt;
  int code = 0;
  const char* first = response.data() + space + 1;
  auto [ptr, ec] = std::from_chars(first, first + 3, code);
  if (ec != std::errc() || ptr != first + 3) return std::nullopt;
  return code;
}

bool AgentReportsReady(int port, std::chrono::milliseconds timeout) {
  Clock::time_point deadline = Clock::now() + timeout;
  UniqueFd fd(::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (!fd.valid()) return false;
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd.get(), reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0) {
    if (errno != EINPROGRESS || !WaitFor(fd.get(), POLLOUT, deadline)) return false;
    int error = 0;
    socklen_t size = sizeof error;
    if (::getsockopt(fd.get(), SOL_SOCKET, SO_ERROR, &error, &size) != 0 || error != 0) {
      return false;
    }
  }
  static constexpr std::string_view kRequest =
      "GET /readyz HTTP/1.0\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
  if (::send(fd.get(), kRequest.data(), kRequest.size(), MSG_NOSIGNAL) !=
      static_cast<ssize_t>(kRequest.size())) {
    return false;
  }
  std::string response;
  char chunk[512];
  // The status line is all we need.
  while (response.find('\n') == std::string::npos && response.size() < 4096) {
    if (!WaitFor(fd.get(), POLLIN, deadline)) return false;
    ssize_t n = ::recv(fd.get(), chunk, sizeof chunk, 0);
    if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
    if (n <= 0) return false;
    response.append(chunk, static_cast<size_t>(n));
  }
  return HttpStatusCode(response) == 200;
}

bool MarkerScanner::Feed(std::string_view piece) {
  if (found_) return true;
  std::string text = carry_ + std::string(piece);
  found_ = text.find(marker_) != std::string::npos;
  size_t keep = std::min(text.size(), marker_.empty() ? 0 : marker_.size() - 1);
  carry_ = text.substr(text.size() - keep);
  return found_;
}

}  // namespace i2kit
