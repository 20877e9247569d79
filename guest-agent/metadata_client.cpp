#include "guest-agent/metadata_client.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>

#include "common/fd_wait.h"
#include "common/sys_error.h"
#include "common/unique_fd.h"

namespace i2kit {
namespace {

using Clock = std::chrono::steady_clock;

// A session lasts 6 hours (EC2's maximum); the agent asks again when refused.
constexpr const char* kTokenTtlSeconds = "21600";
constexpr size_t kMaxResponse = 1 << 20;

}  // namespace

Result<std::string> MetadataClient::Request(const std::string& head, int* status) {
  Clock::time_point deadline = Clock::now() + timeout_;
  std::string where = address_ + ":" + std::to_string(port_);
  UniqueFd fd(::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (!fd.valid()) return SysError("socket");
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port_));
  if (::inet_pton(AF_INET, address_.c_str(), &addr.sin_addr) != 1) {
    return Status::Error("metadata address " + address_ + " is no IPv4 address");
  }
  if (::connect(fd.get(), reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0) {
    if (errno != EINPROGRESS) return SysError("connect", where);
    if (!WaitForFd(fd.get(), POLLOUT, deadline))
      return Status::Error("connect " + where + ": timed out");
    int error = 0;
    socklen_t size = sizeof error;
    ::getsockopt(fd.get(), SOL_SOCKET, SO_ERROR, &error, &size);
    if (error != 0) return SysError("connect", where, error);
  }
  size_t sent = 0;
  while (sent < head.size()) {
    if (!WaitForFd(fd.get(), POLLOUT, deadline)) return Status::Error(where + ": send timed out");
    ssize_t n = ::send(fd.get(), head.data() + sent, head.size() - sent, MSG_NOSIGNAL);
    if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
    if (n <= 0) return SysError("send", where);
    sent += static_cast<size_t>(n);
  }
  std::string response;
  for (;;) {
    if (!WaitForFd(fd.get(), POLLIN, deadline)) return Status::Error(where + ": no answer in time");
    char chunk[4096];
    ssize_t n = ::recv(fd.get(), chunk, sizeof chunk, 0);
    if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
    if (n < 0) return SysError("recv", where);
    if (n == 0) break;
    response.append(chunk, static_cast<size_t>(n));
    if (response.size() > kMaxResponse) return Status::Error(where + ": answer too large");
  }
  // "HTTP/1.x NNN ..."
  if (response.size() < 12 || response.compare(0, 7, "HTTP/1.") != 0) {
    return Status::Error(where + ": not an HTTP answer");
  }
  *status = std::atoi(response.c_str() + 9);
  size_t body = response.find("\r\n\r\n");
  return body == std::string::npos ? std::string() : response.substr(body + 4);
}

Result<std::string> MetadataClient::PutWithoutToken(const std::string& path, int* status) {
  return Request("PUT " + path + " HTTP/1.0\r\nHost: " + address_ + "\r\n\r\n", status);
}

Result<std::string> MetadataClient::Get(const std::string& path) {
  for (int attempt = 0; attempt < 2; ++attempt) {
    if (token_.empty()) {
      int status = 0;
      Result<std::string> token =
          Request(std::string("PUT /latest/api/token HTTP/1.0\r\nHost: ") + address_ +
                      "\r\nX-aws-ec2-metadata-token-ttl-seconds: " + kTokenTtlSeconds + "\r\n\r\n",
                  &status);
      if (!token.ok()) return token.status().WithContext("metadata token");
      if (status != 200) return Status::Error("metadata token: HTTP " + std::to_string(status));
      token_ = *token;
    }
    int status = 0;
    Result<std::string> body = Request("GET " + path + " HTTP/1.0\r\nHost: " + address_ +
                                           "\r\nX-aws-ec2-metadata-token: " + token_ + "\r\n\r\n",
                                       &status);
    if (!body.ok()) return body.status().WithContext("metadata " + path);
    if (status == 401) {  // expired or unknown: a new session, once
      token_.clear();
      continue;
    }
    if (status != 200)
      return Status::Error("metadata " + path + ": HTTP " + std::to_string(status));
    return body;
  }
  return Status::Error("metadata " + path + ": the token was refused twice");
}

}  // namespace i2kit
