// The guest runs no NTP daemon, and AWS refuses requests signed more than 5 minutes off. At
// start the reporter asks the Amazon Time Sync Service (169.254.169.123, link-local on every
// Nitro instance) once, by SNTP (RFC 4330), how far this clock is off, and signs with the
// corrected time; AWS's Date on a refusal corrects it later too (aws-client/clock_skew.h).
// It does not set the system clock: the reporter is unprivileged.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <string>

#include "common/status.h"

namespace i2kit::reporter {

// The Amazon Time Sync Service's address (no DNS needed; port 123).
inline constexpr const char* kAmazonTimeSync = "169.254.169.123";

using SntpPacket = std::array<uint8_t, 48>;
using SystemTime = std::chrono::system_clock::time_point;

// A client request (version 4, mode 3) whose transmit timestamp is `sent_at`.
SntpPacket SntpRequest(SystemTime sent_at);

// How far the server's clock is ahead of this one, from its `reply` to a request sent at
// `sent_at` and received at `received_at` (RFC 4330 §5: ((T2 − T1) + (T3 − T4)) / 2). Refuses
// a reply that is no server's answer to that request, unsynchronized or a kiss-o'-death.
Result<std::chrono::milliseconds> SntpOffset(const SntpPacket& reply, SystemTime sent_at,
                                             SystemTime received_at);

// Asks the SNTP server at the IPv4 address `server` (port `port`) once and waits at most
// `timeout`; the offset, or why there is none.
Result<std::chrono::milliseconds> QueryTimeServer(const std::string& server, uint16_t port,
                                                  std::chrono::milliseconds timeout);

}  // namespace i2kit::reporter
