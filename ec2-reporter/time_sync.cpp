#include "ec2-reporter/time_sync.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>

#include "common/fd_wait.h"
#include "common/sys_error.h"
#include "common/unique_fd.h"

namespace i2kit::reporter {
namespace {

// NTP counts seconds from 1900, Unix from 1970 (RFC 4330 §3).
constexpr uint64_t kNtpToUnixSeconds = 2208988800ULL;

// An NTP timestamp: 32 bits of seconds, 32 of fraction, big-endian.
void PutTimestamp(SntpPacket& packet, size_t at, SystemTime time) {
  auto since = std::chrono::duration_cast<std::chrono::nanoseconds>(time.time_since_epoch());
  uint64_t seconds = static_cast<uint64_t>(since.count() / 1'000'000'000) + kNtpToUnixSeconds;
  uint64_t fraction = (static_cast<uint64_t>(since.count() % 1'000'000'000) << 32) / 1'000'000'000;
  uint64_t value = (seconds << 32) | (fraction & 0xffffffffULL);
  for (int i = 0; i < 8; ++i) packet[at + i] = static_cast<uint8_t>(value >> (56 - 8 * i));
}

uint64_t RawTimestamp(const SntpPacket& packet, size_t at) {
  uint64_t value = 0;
  for (int i = 0; i < 8; ++i) value = (value << 8) | packet[at + i];
  return value;
}

// The timestamp at `at` as nanoseconds since the Unix epoch.
int64_t TimestampNanos(const SntpPacket& packet, size_t at) {
  uint64_t value = RawTimestamp(packet, at);
  int64_t seconds = static_cast<int64_t>(value >> 32) - static_cast<int64_t>(kNtpToUnixSeconds);
  int64_t nanos = static_cast<int64_t>(((value & 0xffffffffULL) * 1'000'000'000ULL) >> 32);
  return seconds * 1'000'000'000 + nanos;
}

int64_t Nanos(SystemTime time) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(time.time_since_epoch()).count();
}

constexpr size_t kOriginate = 24, kReceive = 32, kTransmit = 40;

}  // namespace

SntpPacket SntpRequest(SystemTime sent_at) {
  SntpPacket packet{};
  packet[0] = (4 << 3) | 3;  // LI 0, version 4, mode 3 (client)
  PutTimestamp(packet, kTransmit, sent_at);
  return packet;
}

Result<std::chrono::milliseconds> SntpOffset(const SntpPacket& reply, SystemTime sent_at,
                                             SystemTime received_at) {
  int leap = reply[0] >> 6, mode = reply[0] & 7, stratum = reply[1];
  if (mode != 4) return Status::Error("SNTP reply of mode " + std::to_string(mode) + ", not 4");
  if (leap == 3 || stratum == 0 || stratum > 15) {
    return Status::Error("SNTP server unsynchronized (leap " + std::to_string(leap) + ", stratum " +
                         std::to_string(stratum) + ")");
  }
  if (RawTimestamp(reply, kOriginate) != RawTimestamp(SntpRequest(sent_at), kTransmit)) {
    return Status::Error("SNTP reply to another request (originate timestamp)");
  }
  if (RawTimestamp(reply, kTransmit) == 0) return Status::Error("SNTP reply without a time");
  int64_t t1 = Nanos(sent_at), t4 = Nanos(received_at);
  int64_t t2 = TimestampNanos(reply, kReceive), t3 = TimestampNanos(reply, kTransmit);
  int64_t offset = ((t2 - t1) + (t3 - t4)) / 2;
  return std::chrono::round<std::chrono::milliseconds>(std::chrono::nanoseconds(offset));
}

Result<std::chrono::milliseconds> QueryTimeServer(const std::string& server, uint16_t port,
                                                  std::chrono::milliseconds timeout) {
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  if (::inet_pton(AF_INET, server.c_str(), &address.sin_addr) != 1) {
    return Status::Error("time server '" + server + "' is not an IPv4 address");
  }
  UniqueFd fd(::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  if (!fd.valid()) return SysError("socket", server);
  // connect(2) makes the kernel drop datagrams from anyone but the server.
  if (::connect(fd.get(), reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0) {
    return SysError("connect", server);
  }
  auto deadline = std::chrono::steady_clock::now() + timeout;
  SystemTime sent_at = std::chrono::system_clock::now();
  SntpPacket request = SntpRequest(sent_at);
  if (::send(fd.get(), request.data(), request.size(), 0) != static_cast<ssize_t>(request.size())) {
    return SysError("send", server);
  }
  for (;;) {
    if (!WaitForFd(fd.get(), POLLIN, deadline)) {
      return Status::Error("no SNTP answer from " + server + " within " +
                           std::to_string(timeout.count()) + " ms");
    }
    SntpPacket reply{};
    ssize_t n = ::recv(fd.get(), reply.data(), reply.size(), 0);
    SystemTime received_at = std::chrono::system_clock::now();
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return SysError("recv", server);
    if (n < static_cast<ssize_t>(reply.size())) {
      return Status::Error("SNTP reply of " + std::to_string(n) + " bytes from " + server);
    }
    return SntpOffset(reply, sent_at, received_at);
  }
}

}  // namespace i2kit::reporter
