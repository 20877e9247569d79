// The part of DNS (RFC 1035) the agent's resolver speaks itself: reading a query's one question
// and answering it for a name it owns. Every other query is relayed to the VM's resolver
// untouched. Pure functions of the packet: a hostile packet yields an error, never a read out
// of bounds.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"

namespace i2kit {

inline constexpr uint16_t kDnsTypeA = 1;
inline constexpr uint16_t kDnsClassIn = 1;

struct DnsQuestion {
  uint16_t id = 0;
  std::string name;  // lower case, dot-separated, no final dot
  uint16_t type = 0;
  uint16_t klass = 0;
  size_t end = 0;  // where the question ends in the packet (header + question)
};

// The question of a standard query (QR 0, opcode 0, exactly one question); fails otherwise.
Result<DnsQuestion> ParseDnsQuery(std::string_view packet);

// The authoritative answer to `question` from `query`: one A record for `ipv4` (host byte
// order) with a short TTL when it asks for A (or ANY), else no record (the name exists, it
// has no such data).
std::string BuildDnsAnswer(std::string_view query, const DnsQuestion& question, uint32_t ipv4,
                           uint32_t ttl_seconds);

}  // namespace i2kit
