// How the host tells that a Pod VM is ready: the agent answers GET /readyz with 200 through
// its forwarded port. Never from the console: a container's output shares it, and whatever
// it prints must not make the host think so.
#pragma once

#include <poll.h>

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "common/unique_fd.h"

namespace i2kit {

// The outcome of one readiness check, as a load balancer's target health counts it.
enum class CheckResult {
  kSuccess,  // /readyz answered 200
  kFailure,  // any other answer, a refused or reset connection
  kTimeout,  // no answer within the timeout: counts as a failure
};

// The status code of an HTTP response's status line ("HTTP/1.0 200 OK" → 200).
std::optional<int> HttpStatusCode(std::string_view response);

// GET /readyz from 127.0.0.1:`port`; true only on status 200 within `timeout`. QEMU's user
// network accepts the connection before the guest does, so a guest not yet listening shows
// as a connection closed without a response: not ready.
bool AgentReportsReady(int port, std::chrono::milliseconds timeout);
// The same check, telling apart an agent that answered "not ready" (false) from one that did
// not answer (nullopt: still booting, or hung).
std::optional<bool> AgentReadiness(int port, std::chrono::milliseconds timeout);

// One HTTP/1.0 GET to 127.0.0.1:PORT in flight, without blocking: the controller keeps one
// /readyz check per replica in its poll() loop. Poll fd() for events() and call Advance() when
// it is readable or writable, or when the deadline has passed.
class LocalHttpGet {
 public:
  using Clock = std::chrono::steady_clock;
  struct Outcome {
    CheckResult result;  // kSuccess for status 200
    bool answered;       // an HTTP status line came back (200 or not): the server is alive
    std::string body;    // with `keep_body`, the body of a complete answer
  };

  // `keep_body`: read the whole answer (up to 1 MiB), not only the status line.
  LocalHttpGet(int port, std::string_view path, Clock::time_point deadline, bool keep_body = false);
  int fd() const { return fd_.get(); }
  short events() const { return connecting_ || sending_ ? POLLOUT : POLLIN; }
  // Does what the socket allows now; the outcome once known (then the socket is closed).
  std::optional<Outcome> Advance(Clock::time_point now);

 private:
  std::optional<Outcome> Finish(CheckResult result, bool answered);
  UniqueFd fd_;
  std::string request_;
  Clock::time_point deadline_;
  bool keep_body_ = false;
  bool connecting_ = true;
  bool sending_ = true;
  size_t sent_ = 0;
  std::string response_;
  std::optional<Outcome> outcome_;
};

// GET `path` from 127.0.0.1:`port`, waiting up to `timeout`; the body of a 200 answer.
std::optional<std::string> FetchLocal(int port, std::string_view path,
                                      std::chrono::milliseconds timeout);

}  // namespace i2kit
