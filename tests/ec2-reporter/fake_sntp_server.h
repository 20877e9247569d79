// An SNTP server on loopback for tests, whose clock is the machine's plus an offset: it
// answers each request (RFC 4330 server mode, stratum 1) until it is destroyed.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <string>
#include <thread>

#include "common/unique_fd.h"
#include "ec2-reporter/time_sync.h"

namespace i2kit::testing {

// A server's reply to `request` whose clock reads `server_time` when it receives and sends.
inline reporter::SntpPacket SntpReply(const reporter::SntpPacket& request,
                                      reporter::SystemTime server_time) {
  reporter::SntpPacket reply = reporter::SntpRequest(server_time);  // transmit: server_time
  reply[0] = (4 << 3) | 4;                                          // version 4, mode 4
  reply[1] = 1;                                                     // stratum 1
  std::copy(request.begin() + 40, request.begin() + 48, reply.begin() + 24);  // originate
  std::copy(reply.begin() + 40, reply.begin() + 48, reply.begin() + 32);      // receive
  return reply;
}

class FakeSntpServer {
 public:
  explicit FakeSntpServer(std::chrono::seconds offset)
      : fd_(::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0)) {
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof address;
    if (::bind(fd_.get(), reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
        ::getsockname(fd_.get(), reinterpret_cast<sockaddr*>(&address), &length) != 0) {
      return;
    }
    port_ = ntohs(address.sin_port);
    thread_ = std::thread([this, offset] { Serve(offset); });
  }
  ~FakeSntpServer() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
  }

  uint16_t port() const { return port_; }  // 0 when it did not start
  std::string address() const { return "127.0.0.1:" + std::to_string(port_); }

 private:
  void Serve(std::chrono::seconds offset) {
    while (!stop_) {
      pollfd ready{fd_.get(), POLLIN, 0};
      if (::poll(&ready, 1, 50) <= 0) continue;
      reporter::SntpPacket request{};
      sockaddr_in from{};
      socklen_t length = sizeof from;
      if (::recvfrom(fd_.get(), request.data(), request.size(), 0,
                     reinterpret_cast<sockaddr*>(&from), &length) != 48) {
        continue;
      }
      reporter::SntpPacket reply = SntpReply(request, std::chrono::system_clock::now() + offset);
      ::sendto(fd_.get(), reply.data(), reply.size(), 0, reinterpret_cast<sockaddr*>(&from),
               length);
    }
  }

  UniqueFd fd_;
  uint16_t port_ = 0;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace i2kit::testing
