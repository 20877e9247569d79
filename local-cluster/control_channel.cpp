#include "local-cluster/control_channel.h"

#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>
#include <nlohmann/json.hpp>

#include "common/sys_error.h"

namespace i2kit {
namespace {

using nlohmann::json;

Result<sockaddr_un> UnixAddress(const std::string& path) {
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  if (path.size() >= sizeof address.sun_path) {
    return Status::Error("socket path too long (" + std::to_string(path.size()) +
                         " bytes; set XDG_STATE_HOME to a shorter directory): " + path);
  }
  std::memcpy(address.sun_path, path.c_str(), path.size() + 1);
  return address;
}

}  // namespace

std::string RequestToLine(const ControlRequest& request) {
  json publish = json::array();
  for (const PublishedPort& port : request.publish) {
    publish.push_back(std::to_string(port.host_port) + ":" + std::to_string(port.container_port) +
                      "/" + PortProtocolName(port.protocol));
  }
  json line = {{"op", request.op == ControlRequest::Op::kUpdate ? "update" : "down"},
               {"artifactsDir", request.artifacts_dir},
               {"publish", publish},
               {"timeoutSeconds", request.timeout_seconds},
               {"graceSeconds", request.grace_seconds}};
  return line.dump();
}

Result<ControlRequest> RequestFromLine(std::string_view line) {
  json parsed = json::parse(line, nullptr, /*allow_exceptions=*/false);
  if (!parsed.is_object()) return Status::Error("control request: not a JSON object");
  ControlRequest request;
  auto string_field = [&](const char* name) -> Result<std::string> {
    auto it = parsed.find(name);
    if (it == parsed.end() || !it->is_string()) {
      return Status::Error(std::string("control request: ") + name + ": expected a string");
    }
    return it->get<std::string>();
  };
  auto int_field = [&](const char* name) -> Result<int> {
    auto it = parsed.find(name);
    if (it == parsed.end() || !it->is_number_integer()) {
      return Status::Error(std::string("control request: ") + name + ": expected an integer");
    }
    return it->get<int>();
  };
  Result<std::string> op = string_field("op");
  if (!op.ok()) return op.status();
  if (*op == "update") {
    request.op = ControlRequest::Op::kUpdate;
  } else if (*op == "down") {
    request.op = ControlRequest::Op::kDown;
  } else {
    return Status::Error("control request: op: expected update or down, got " + *op);
  }
  Result<std::string> dir = string_field("artifactsDir");
  if (!dir.ok()) return dir.status();
  Result<int> timeout = int_field("timeoutSeconds");
  if (!timeout.ok()) return timeout.status();
  Result<int> grace = int_field("graceSeconds");
  if (!grace.ok()) return grace.status();
  request.artifacts_dir = *dir;
  request.timeout_seconds = *timeout;
  request.grace_seconds = *grace;
  auto publish = parsed.find("publish");
  if (publish == parsed.end() || !publish->is_array()) {
    return Status::Error("control request: publish: expected an array");
  }
  for (const json& item : *publish) {
    if (!item.is_string()) return Status::Error("control request: publish: expected strings");
    Result<PublishedPort> port = ParsePublishedPort(item.get<std::string>());
    if (!port.ok()) return port.status().WithContext("control request: publish");
    request.publish.push_back(*port);
  }
  return request;
}

std::string EventLine(std::string_view text) {
  return json{{"event", text}}.dump();
}

std::string ResultLine(const Status& status) {
  if (status.ok()) return json{{"ok", true}}.dump();
  return json{{"ok", false}, {"error", status.message()}}.dump();
}

Result<UniqueFd> ListenUnix(const std::string& path) {
  Result<sockaddr_un> address = UnixAddress(path);
  if (!address.ok()) return address.status();
  UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
  if (!fd.valid()) return SysError("socket", path);
  ::unlink(path.c_str());  // a dead controller's socket
  if (::bind(fd.get(), reinterpret_cast<const sockaddr*>(&*address), sizeof *address) != 0) {
    return SysError("bind", path);
  }
  if (::chmod(path.c_str(), 0600) != 0) return SysError("chmod", path);
  if (::listen(fd.get(), 8) != 0) return SysError("listen", path);
  return fd;
}

Result<UniqueFd> ConnectUnix(const std::string& path) {
  Result<sockaddr_un> address = UnixAddress(path);
  if (!address.ok()) return address.status();
  UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!fd.valid()) return SysError("socket", path);
  if (::connect(fd.get(), reinterpret_cast<const sockaddr*>(&*address), sizeof *address) != 0) {
    return SysError("connect", path);
  }
  return fd;
}

Status SendLine(int fd, std::string_view line) {
  std::string data = std::string(line) + "\n";
  size_t sent = 0;
  while (sent < data.size()) {
    ssize_t n = ::send(fd, data.data() + sent, data.size() - sent, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return SysError("send", "control connection");
    sent += static_cast<size_t>(n);
  }
  return Status::Ok();
}

Status FollowReplies(int fd, const std::function<void(std::string_view)>& on_event,
                     const FollowHooks& hooks) {
  std::string buffer;
  char chunk[4096];
  for (;;) {
    size_t newline;
    while ((newline = buffer.find('\n')) != std::string::npos) {
      json reply = json::parse(buffer.substr(0, newline), nullptr, /*allow_exceptions=*/false);
      buffer.erase(0, newline + 1);
      if (!reply.is_object()) continue;
      if (auto event = reply.find("event"); event != reply.end() && event->is_string()) {
        on_event(event->get_ref<const std::string&>());
        continue;
      }
      if (auto ok = reply.find("ok"); ok != reply.end() && ok->is_boolean()) {
        if (ok->get<bool>()) return Status::Ok();
        auto error = reply.find("error");
        return Status::Error(error != reply.end() && error->is_string() ? error->get<std::string>()
                                                                        : "the controller failed");
      }
    }
    pollfd fds[2] = {{fd, POLLIN, 0}, {hooks.interrupt_fd, POLLIN, 0}};
    int ready = ::poll(fds, hooks.interrupt_fd >= 0 ? 2 : 1, hooks.on_tick ? 250 : -1);
    if (ready < 0 && errno != EINTR) return SysError("poll", "control connection");
    if (hooks.interrupt_fd >= 0 && (fds[1].revents & POLLIN) != 0 && hooks.on_interrupt) {
      hooks.on_interrupt();
    }
    if ((fds[0].revents & (POLLIN | POLLHUP | POLLERR)) == 0) {
      if (hooks.on_tick) hooks.on_tick();
      continue;
    }
    ssize_t n = ::recv(fd, chunk, sizeof chunk, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      return Status::Error("the deployment's controller ended without an answer (see its log)");
    }
    buffer.append(chunk, static_cast<size_t>(n));
  }
}

Status CallController(const std::string& path, const ControlRequest& request,
                      const std::function<void(std::string_view)>& on_event,
                      const FollowHooks& hooks) {
  Result<UniqueFd> connection = ConnectUnix(path);
  if (!connection.ok()) return connection.status();
  if (Status s = SendLine(connection->get(), RequestToLine(request)); !s.ok()) return s;
  return FollowReplies(connection->get(), on_event, hooks);
}

}  // namespace i2kit
