#include "local-vm/local_ports.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <string>

#include "common/sys_error.h"
#include "common/unique_fd.h"

namespace i2kit {

Result<UniqueFd> BindLoopback(int port, Protocol protocol, int backlog) {
  std::string what = "127.0.0.1:" + std::to_string(port);
  int type = protocol == Protocol::kUdp ? SOCK_DGRAM : SOCK_STREAM;
  UniqueFd fd(::socket(AF_INET, type | SOCK_CLOEXEC, 0));
  if (!fd.valid()) return SysError("socket", what);
  // QEMU's user network sets SO_REUSEADDR on its listeners; do the same, so that connections
  // lingering in TIME_WAIT do not count as "in use" but a listener does.
  int one = 1;
  if (::setsockopt(fd.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0) {
    return SysError("setsockopt(SO_REUSEADDR)", what);
  }
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::bind(fd.get(), reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0) {
    return SysError("bind", what);
  }
  if (type == SOCK_STREAM && ::listen(fd.get(), backlog) != 0) return SysError("listen", what);
  return fd;
}

Status CheckLocalPortFree(int port, Protocol protocol) {
  Result<UniqueFd> fd = BindLoopback(port, protocol, 1);
  if (!fd.ok()) {
    return fd.status().WithContext("host port " + std::to_string(port) + " is not free");
  }
  return Status::Ok();
}

Result<int> PickFreeLocalPort() {
  Result<UniqueFd> fd = BindLoopback(0, Protocol::kTcp, 1);
  if (!fd.ok()) return fd.status();
  sockaddr_in address{};
  socklen_t size = sizeof address;
  if (::getsockname(fd->get(), reinterpret_cast<sockaddr*>(&address), &size) != 0) {
    return SysError("getsockname", "127.0.0.1:0");
  }
  return static_cast<int>(ntohs(address.sin_port));
}

}  // namespace i2kit
