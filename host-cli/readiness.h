// How the host tells that a Pod VM is ready: the agent answers GET /readyz with 200 through
// its forwarded port, or (for when that port cannot be reached) prints its ready marker on the
// console (pod_vm.h).
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace i2kit {

// The status code of an HTTP response's status line ("HTTP/1.0 200 OK" → 200).
std::optional<int> HttpStatusCode(std::string_view response);

// GET /readyz from 127.0.0.1:`port`; true only on status 200 within `timeout`. QEMU's user
// network accepts the connection before the guest does, so a guest not yet listening shows
// as a connection closed without a response: not ready.
bool AgentReportsReady(int port, std::chrono::milliseconds timeout);

// Looks for a marker line in text that arrives in pieces (the console as it is followed).
class MarkerScanner {
 public:
  explicit MarkerScanner(std::string marker) : marker_(std::move(marker)) {}
  // Scans the next piece; true once the marker has been seen.
  bool Feed(std::string_view piece);
  bool found() const { return found_; }

 private:
  std::string marker_;
  std::string carry_;  // the end of the previous piece, for a marker split across two
  bool found_ = false;
};

}  // namespace i2kit
