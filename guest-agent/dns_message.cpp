#include "guest-agent/dns_message.h"

#include <cctype>

namespace i2kit {
namespace {

constexpr size_t kHeaderSize = 12;
constexpr uint16_t kTypeAny = 255;

uint16_t Read16(std::string_view p, size_t at) {
  return static_cast<uint16_t>((static_cast<uint8_t>(p[at]) << 8) |
                               static_cast<uint8_t>(p[at + 1]));
}

void Append16(std::string& out, uint16_t v) {
  out += static_cast<char>(v >> 8);
  out += static_cast<char>(v & 0xff);
}

void Append32(std::string& out, uint32_t v) {
  Append16(out, static_cast<uint16_t>(v >> 16));
  Append16(out, static_cast<uint16_t>(v & 0xffff));
}

}  // namespace

Result<DnsQuestion> ParseDnsQuery(std::string_view packet) {
  if (packet.size() < kHeaderSize) return Status::Error("dns: shorter than a header");
  DnsQuestion q;
  q.id = Read16(packet, 0);
  uint16_t flags = Read16(packet, 2);
  if ((flags & 0x8000) != 0) return Status::Error("dns: a response, not a query");
  if (((flags >> 11) & 0xf) != 0) return Status::Error("dns: not a standard query");
  if (Read16(packet, 4) != 1) return Status::Error("dns: not exactly one question");
  size_t at = kHeaderSize;
  // Labels only: a query's one name has no compression pointers (RFC 1035 4.1.4).
  for (;;) {
    if (at >= packet.size()) return Status::Error("dns: name runs past the packet");
    auto length = static_cast<uint8_t>(packet[at++]);
    if (length == 0) break;
    if (length > 63) return Status::Error("dns: label longer than 63 or compressed");
    if (at + length > packet.size()) return Status::Error("dns: label runs past the packet");
    if (!q.name.empty()) q.name += '.';
    for (size_t i = 0; i < length; ++i) {
      q.name += static_cast<char>(std::tolower(static_cast<unsigned char>(packet[at + i])));
    }
    at += length;
    if (q.name.size() > 253) return Status::Error("dns: name longer than 253");
  }
  if (at + 4 > packet.size()) return Status::Error("dns: question without type and class");
  q.type = Read16(packet, at);
  q.klass = Read16(packet, at + 2);
  q.end = at + 4;
  return q;
}

std::string BuildDnsAnswer(std::string_view query, const DnsQuestion& question, uint32_t ipv4,
                           uint32_t ttl_seconds) {
  bool answer =
      question.klass == kDnsClassIn && (question.type == kDnsTypeA || question.type == kTypeAny);
  std::string out;
  Append16(out, question.id);
  // QR, AA, the query's RD, RA; NOERROR.
  uint16_t rd = Read16(query, 2) & 0x0100;
  Append16(out, static_cast<uint16_t>(0x8400 | rd | 0x0080));
  Append16(out, 1);               // QDCOUNT
  Append16(out, answer ? 1 : 0);  // ANCOUNT
  Append16(out, 0);               // NSCOUNT
  Append16(out, 0);               // ARCOUNT
  out.append(query.substr(kHeaderSize, question.end - kHeaderSize));
  if (answer) {
    Append16(out, 0xc00c);  // the name: a pointer to the question's
    Append16(out, kDnsTypeA);
    Append16(out, kDnsClassIn);
    Append32(out, ttl_seconds);
    Append16(out, 4);
    Append32(out, ipv4);
  }
  return out;
}

}  // namespace i2kit
