#include "local-vm/readiness.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>

#include <charconv>

#include "common/fd_wait.h"
#include "common/unique_fd.h"

namespace i2kit {
namespace {

using Clock = std::chrono::steady_clock;

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

constexpr size_t kMaxResponse = 1 << 20;

LocalHttpGet::LocalHttpGet(int port, std::string_view path, Clock::time_point deadline,
                           bool keep_body)
    : request_("GET " + std::string(path) +
               " HTTP/1.0\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"),
      deadline_(deadline),
      keep_body_(keep_body) {
  fd_.reset(::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (!fd_.valid()) {
    Finish(CheckResult::kFailure, false);
    return;
  }
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd_.get(), reinterpret_cast<const sockaddr*>(&address), sizeof address) == 0) {
    connecting_ = false;
  } else if (errno != EINPROGRESS) {
    Finish(CheckResult::kFailure, false);
  }
}

std::optional<LocalHttpGet::Outcome> LocalHttpGet::Finish(CheckResult result, bool answered) {
  fd_.reset();
  outcome_ = Outcome{result, answered, {}};
  if (answered && keep_body_) {
    size_t end = response_.find("\r\n\r\n");
    if (end != std::string::npos) outcome_->body = response_.substr(end + 4);
  }
  return outcome_;
}

std::optional<LocalHttpGet::Outcome> LocalHttpGet::Advance(Clock::time_point now) {
  if (outcome_) return outcome_;
  if (connecting_) {
    pollfd p{fd_.get(), POLLOUT, 0};
    if (::poll(&p, 1, 0) <= 0) {
      return now >= deadline_ ? Finish(CheckResult::kTimeout, false) : std::nullopt;
    }
    int error = 0;
    socklen_t size = sizeof error;
    if (::getsockopt(fd_.get(), SOL_SOCKET, SO_ERROR, &error, &size) != 0 || error != 0) {
      return Finish(CheckResult::kFailure, false);
    }
    connecting_ = false;
  }
  while (sending_) {
    ssize_t n = ::send(fd_.get(), request_.data() + sent_, request_.size() - sent_, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno == EAGAIN) break;
    if (n <= 0) return Finish(CheckResult::kFailure, false);
    sent_ += static_cast<size_t>(n);
    sending_ = sent_ < request_.size();
  }
  // The status line is all a check needs; a body is read to the end of the answer.
  auto complete = [&] { return keep_body_ ? false : response_.find('\n') != std::string::npos; };
  bool closed = false;
  while (!sending_ && !complete() && response_.size() < kMaxResponse) {
    char chunk[4096];
    ssize_t n = ::recv(fd_.get(), chunk, sizeof chunk, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno == EAGAIN) break;
    if (n < 0) return Finish(CheckResult::kFailure, false);
    if (n == 0) {
      closed = true;
      break;
    }
    response_.append(chunk, static_cast<size_t>(n));
  }
  if (complete() || closed || response_.size() >= kMaxResponse) {
    // QEMU's user network accepts for the guest, then closes when nobody listens: no answer.
    std::optional<int> code = HttpStatusCode(response_);
    return Finish(code == 200 ? CheckResult::kSuccess : CheckResult::kFailure, code.has_value());
  }
  return now >= deadline_ ? Finish(CheckResult::kTimeout, false) : std::nullopt;
}

namespace {

LocalHttpGet::Outcome Complete(LocalHttpGet& get, Clock::time_point deadline) {
  for (;;) {
    if (std::optional<LocalHttpGet::Outcome> outcome = get.Advance(Clock::now())) return *outcome;
    WaitForFd(get.fd(), get.events(), deadline);
  }
}

}  // namespace

std::optional<bool> AgentReadiness(int port, std::chrono::milliseconds timeout) {
  Clock::time_point deadline = Clock::now() + timeout;
  LocalHttpGet check(port, "/readyz", deadline);
  LocalHttpGet::Outcome outcome = Complete(check, deadline);
  if (!outcome.answered) return std::nullopt;
  return outcome.result == CheckResult::kSuccess;
}

bool AgentReportsReady(int port, std::chrono::milliseconds timeout) {
  return AgentReadiness(port, timeout).value_or(false);
}

std::optional<std::string> FetchLocal(int port, std::string_view path,
                                      std::chrono::milliseconds timeout) {
  Clock::time_point deadline = Clock::now() + timeout;
  LocalHttpGet get(port, path, deadline, /*keep_body=*/true);
  LocalHttpGet::Outcome outcome = Complete(get, deadline);
  if (outcome.result != CheckResult::kSuccess) return std::nullopt;
  return outcome.body;
}

}  // namespace i2kit
