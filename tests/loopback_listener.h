// Holding a port on 127.0.0.1 the way another program would: for the tests of what picks,
// checks and balances local ports.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "common/unique_fd.h"

namespace i2kit {

// A TCP listener on 127.0.0.1:`port` (invalid if that failed), closed when dropped.
inline UniqueFd ListenOnLoopback(int port) {
  UniqueFd fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::bind(fd.get(), reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0 ||
      ::listen(fd.get(), 1) != 0) {
    fd.reset();
  }
  return fd;
}

}  // namespace i2kit
