#include "local-vm/qmp_client.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <cstring>
#include <nlohmann/json.hpp>

#include "common/sys_error.h"
#include "common/unique_fd.h"

namespace i2kit {
namespace {

using Clock = std::chrono::steady_clock;

Result<UniqueFd> ConnectUnix(const std::string& path) {
  UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!fd.valid()) return SysError("socket", path);
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  std::string target = path;
  UniqueFd dir;
  if (target.size() >= sizeof address.sun_path) {
    // Too long for sun_path: name the directory through a descriptor instead.
    size_t slash = path.rfind('/');
    std::string parent = slash == std::string::npos ? "." : path.substr(0, slash);
    dir.reset(::open(parent.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
    if (!dir.valid()) return SysError("open", parent);
    target = "/proc/self/fd/" + std::to_string(dir.get()) + "/" + path.substr(slash + 1);
  }
  std::memcpy(address.sun_path, target.c_str(), target.size() + 1);
  if (::connect(fd.get(), reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0) {
    return SysError("connect", path);
  }
  return fd;
}

class QmpConnection {
 public:
  QmpConnection(UniqueFd fd, std::string path, Clock::time_point deadline)
      : fd_(std::move(fd)), path_(std::move(path)), deadline_(deadline) {}

  // The next message that is not an asynchronous event.
  Result<nlohmann::json> ReadReply() {
    for (;;) {
      Result<std::string> line = ReadLine();
      if (!line.ok()) return line.status();
      nlohmann::json message = nlohmann::json::parse(*line, nullptr, /*allow_exceptions=*/false);
      if (message.is_discarded()) return Status::Error(path_ + ": QMP sent non-JSON: " + *line);
      if (!message.contains("event")) return message;
    }
  }

  Status Send(const std::string& command, const nlohmann::json& arguments = nullptr) {
    nlohmann::json message = {{"execute", command}};
    if (!arguments.is_null()) message["arguments"] = arguments;
    std::string text = message.dump() + "\n";
    if (::send(fd_.get(), text.data(), text.size(), MSG_NOSIGNAL) !=
        static_cast<ssize_t>(text.size())) {
      return SysError("send", path_);
    }
    return Status::Ok();
  }

  // Sends `command` and checks its reply: {"return": …} or {"error": {"desc": …}}.
  Status Execute(const std::string& command) {
    Result<nlohmann::json> value = Call(command, nullptr);
    return value.ok() ? Status::Ok() : value.status();
  }

  // Sends `command` and returns the value of its {"return": …}.
  Result<nlohmann::json> Call(const std::string& command, const nlohmann::json& arguments) {
    if (Status s = Send(command, arguments); !s.ok()) return s;
    Result<nlohmann::json> reply = ReadReply();
    if (!reply.ok()) return reply.status();
    if (auto value = reply->find("return"); value != reply->end()) return *value;
    std::string desc =
        reply->value(nlohmann::json::json_pointer("/error/desc"), std::string("unknown error"));
    return Status::Error(path_ + ": QMP " + command + " failed: " + desc);
  }

 private:
  Result<std::string> ReadLine() {
    for (;;) {
      if (size_t end = buffer_.find('\n'); end != std::string::npos) {
        std::string line = buffer_.substr(0, end);
        buffer_.erase(0, end + 1);
        if (!line.empty() && line.back() == '\r') line.pop_back();
        return line;
      }
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline_ - Clock::now());
      pollfd p{fd_.get(), POLLIN, 0};
      int ready = ::poll(&p, 1, static_cast<int>(std::max<int64_t>(0, left.count())));
      if (ready < 0 && errno == EINTR) continue;
      if (ready < 0) return SysError("poll", path_);
      if (ready == 0) return Status::Error(path_ + ": QMP did not answer in time");
      char chunk[4096];
      ssize_t n = ::recv(fd_.get(), chunk, sizeof chunk, 0);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return SysError("recv", path_);
      if (n == 0) return Status::Error(path_ + ": QEMU closed the QMP connection");
      buffer_.append(chunk, static_cast<size_t>(n));
    }
  }

  UniqueFd fd_;
  std::string path_;
  Clock::time_point deadline_;
  std::string buffer_;
};

// A connection past QEMU's greeting and the capabilities handshake.
Result<QmpConnection> Connect(const std::string& socket_path, std::chrono::milliseconds timeout) {
  Result<UniqueFd> fd = ConnectUnix(socket_path);
  if (!fd.ok()) return fd.status();
  QmpConnection qmp(std::move(fd).value(), socket_path, Clock::now() + timeout);
  // QEMU greets first ({"QMP": …}) and accepts commands only after qmp_capabilities.
  if (Result<nlohmann::json> greeting = qmp.ReadReply(); !greeting.ok()) {
    return greeting.status();
  } else if (!greeting->contains("QMP")) {
    return Status::Error(socket_path + ": not a QMP socket");
  }
  if (Status s = qmp.Execute("qmp_capabilities"); !s.ok()) return s;
  return qmp;
}

}  // namespace

Result<nlohmann::json> QmpCommand(const std::string& socket_path, const std::string& command,
                                  const nlohmann::json& arguments,
                                  std::chrono::milliseconds timeout) {
  Result<QmpConnection> connected = Connect(socket_path, timeout);
  if (!connected.ok()) return connected.status();
  QmpConnection qmp = std::move(connected).value();
  return qmp.Call(command, arguments);
}

Status QmpExecute(const std::string& socket_path, const std::string& command,
                  std::chrono::milliseconds timeout) {
  Result<QmpConnection> connected = Connect(socket_path, timeout);
  if (!connected.ok()) return connected.status();
  QmpConnection qmp = std::move(connected).value();
  Status status = qmp.Execute(command);
  // `quit` may close the connection before its reply arrives: QEMU is exiting, as asked.
  if (!status.ok() && command == "quit" &&
      status.message().find("closed the QMP connection") != std::string::npos) {
    return Status::Ok();
  }
  return status;
}

}  // namespace i2kit
