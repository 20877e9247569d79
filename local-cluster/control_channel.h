// How `run` and `down` talk to a deployment's controller (deployment_controller.h): over its
// unix socket, or the socket pair a detaching `run` keeps with the controller it forked. One JSON
// object per line: the caller sends one request; the controller answers with event lines while
// it works, then one result line.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "common/unique_fd.h"
#include "local-vm/port_mapping.h"

namespace i2kit {

struct ControlRequest {
  enum class Op { kUpdate, kDown };
  Op op = Op::kUpdate;
  std::string artifacts_dir;           // kUpdate: the new image's artifacts (absolute)
  std::vector<PublishedPort> publish;  // kUpdate: must match the running ports when given
  int timeout_seconds = 0;             // kUpdate: 0 = the manifest's progressDeadlineSeconds
  int grace_seconds = -1;              // kDown: -1 = each Pod's own grace period
};

std::string RequestToLine(const ControlRequest& request);
// Fails naming the field that is missing or wrong.
Result<ControlRequest> RequestFromLine(std::string_view line);

// {"event": TEXT} and the final {"ok": true} / {"ok": false, "error": MESSAGE}.
std::string EventLine(std::string_view text);
std::string ResultLine(const Status& status);

// A listening unix socket at `path` (a stale socket file is replaced; mode 0600).
Result<UniqueFd> ListenUnix(const std::string& path);
Result<UniqueFd> ConnectUnix(const std::string& path);

// Sends `line` and a newline without raising SIGPIPE; fails if the peer has gone.
Status SendLine(int fd, std::string_view line);

// Reads reply lines from `fd` until the result line, passing each event's text to `on_event`.
// Returns the controller's verdict; fails too if the connection ends without one (the
// controller died).
struct FollowHooks {
  int interrupt_fd = -1;  // while waiting, on_interrupt runs when it is readable
  std::function<void()> on_interrupt;
  std::function<void()> on_tick;  // every quarter second without a reply (progress lines)
};
Status FollowReplies(int fd, const std::function<void(std::string_view)>& on_event,
                     const FollowHooks& hooks = {});

// Connects to the controller's socket at `path`, sends `request` and follows the replies.
Status CallController(const std::string& path, const ControlRequest& request,
                      const std::function<void(std::string_view)>& on_event,
                      const FollowHooks& hooks = {});

}  // namespace i2kit
