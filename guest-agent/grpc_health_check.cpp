#include "guest-agent/grpc_health_check.h"

#include <poll.h>
#include <sys/socket.h>

#include <chrono>
#include <cstdint>

#include "guest-agent/probe_check.h"

namespace i2kit {
namespace {

using Clock = std::chrono::steady_clock;

constexpr std::string_view kPreface = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";
constexpr uint8_t kData = 0x0, kHeaders = 0x1, kRstStream = 0x3, kSettings = 0x4, kPing = 0x6,
                  kGoAway = 0x7;
constexpr uint8_t kEndStream = 0x1, kAck = 0x1, kEndHeaders = 0x4, kPadded = 0x8;
constexpr uint32_t kStream = 1;
// Larger than any frame a health answer needs (the default SETTINGS_MAX_FRAME_SIZE is 16 KiB).
constexpr size_t kMaxFrame = 1 << 16;

std::string Frame(uint8_t type, uint8_t flags, uint32_t stream, const std::string& payload) {
  std::string frame;
  size_t n = payload.size();
  frame += static_cast<char>((n >> 16) & 0xff);
  frame += static_cast<char>((n >> 8) & 0xff);
  frame += static_cast<char>(n & 0xff);
  frame += static_cast<char>(type);
  frame += static_cast<char>(flags);
  for (int shift : {24, 16, 8, 0}) frame += static_cast<char>((stream >> shift) & 0xff);
  return frame + payload;
}

// An HPACK integer with an N-bit prefix (RFC 7541 5.1), the prefix's other bits `high`.
std::string HpackInteger(size_t value, int prefix_bits, uint8_t high) {
  const size_t max = (1u << prefix_bits) - 1;
  std::string out;
  if (value < max) return out + static_cast<char>(high | value);
  out += static_cast<char>(high | max);
  for (value -= max; value >= 128; value /= 128) out += static_cast<char>(0x80 | (value % 128));
  return out + static_cast<char>(value);
}

std::string HpackString(const std::string& s) {
  return HpackInteger(s.size(), 7, 0x00) + s;  // no Huffman coding
}

// A literal header field without indexing: a static table name (index) or a new name (0).
std::string HpackLiteral(size_t name_index, const std::string& name, const std::string& value) {
  std::string out = HpackInteger(name_index, 4, 0x00);
  if (name_index == 0) out += HpackString(name);
  return out + HpackString(value);
}

// Protobuf: field 1, length-delimited (HealthCheckRequest.service).
std::string HealthCheckRequest(const std::string& service) {
  if (service.empty()) return "";
  std::string out = "\x0a";
  size_t n = service.size();
  for (; n >= 128; n >>= 7) out += static_cast<char>(0x80 | (n & 0x7f));
  return out + static_cast<char>(n) + service;
}

// Reads field 1 (varint, HealthCheckResponse.status) of a protobuf message; absent = 0.
Result<GrpcServingStatus> ParseHealthCheckResponse(std::string_view message) {
  uint64_t status = 0;
  size_t i = 0;
  auto varint = [&](uint64_t& value) {
    value = 0;
    for (int shift = 0; i < message.size() && shift < 64; shift += 7) {
      uint8_t b = static_cast<uint8_t>(message[i++]);
      value |= static_cast<uint64_t>(b & 0x7f) << shift;
      if (!(b & 0x80)) return true;
    }
    return false;
  };
  while (i < message.size()) {
    uint64_t key = 0, value = 0;
    if (!varint(key)) return Status::Error("a malformed HealthCheckResponse");
    switch (key & 7) {
      case 0:
        if (!varint(value)) return Status::Error("a malformed HealthCheckResponse");
        if (key >> 3 == 1) status = value;
        break;
      case 2:
        if (!varint(value) || value > message.size() - i) {
          return Status::Error("a malformed HealthCheckResponse");
        }
        i += value;
        break;
      default:
        return Status::Error("a malformed HealthCheckResponse");
    }
  }
  if (status > 3) return GrpcServingStatus::kUnknown;
  return static_cast<GrpcServingStatus>(status);
}

const char* ServingStatusName(GrpcServingStatus s) {
  switch (s) {
    case GrpcServingStatus::kServing:
      return "SERVING";
    case GrpcServingStatus::kNotServing:
      return "NOT_SERVING";
    case GrpcServingStatus::kServiceUnknown:
      return "SERVICE_UNKNOWN";
    default:
      return "UNKNOWN";
  }
}

// The connection's two directions within the deadline: bytes out, whole bytes in.
class Wire {
 public:
  Wire(int fd, Clock::time_point deadline) : fd_(fd), deadline_(deadline) {}
  Status Send(std::string_view bytes) {
    for (size_t sent = 0; sent < bytes.size();) {
      if (Status s = Wait(POLLOUT); !s.ok()) return s;
      ssize_t n = ::send(fd_, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
      if (n <= 0) return Status::Error("the connection closed while sending");
      sent += static_cast<size_t>(n);
    }
    return Status::Ok();
  }
  Result<std::string> Receive(size_t n) {
    while (buffer_.size() < n) {
      if (Status s = Wait(POLLIN); !s.ok()) return s;
      char chunk[4096];
      ssize_t got = ::recv(fd_, chunk, sizeof chunk, 0);
      if (got <= 0) return Status::Error("the connection closed without an answer");
      buffer_.append(chunk, static_cast<size_t>(got));
    }
    std::string out = buffer_.substr(0, n);
    buffer_.erase(0, n);
    return out;
  }

 private:
  Status Wait(short events) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline_ - Clock::now());
    pollfd p{fd_, events, 0};
    if (left.count() <= 0 || ::poll(&p, 1, static_cast<int>(left.count())) != 1) {
      return Status::Error("no answer within the timeout");
    }
    return Status::Ok();
  }
  int fd_;
  Clock::time_point deadline_;
  std::string buffer_;
};

}  // namespace

std::string GrpcHealthRequestFrames(const std::string& authority, const std::string& service) {
  std::string headers;
  headers += '\x83';  // :method POST (static table 3)
  headers += '\x86';  // :scheme http (static table 6)
  headers += HpackLiteral(4, ":path", "/grpc.health.v1.Health/Check");
  headers += HpackLiteral(1, ":authority", authority);
  headers += HpackLiteral(0, "content-type", "application/grpc");
  headers += HpackLiteral(0, "te", "trailers");
  headers += HpackLiteral(0, "user-agent", "i2kit-probe");
  std::string message = HealthCheckRequest(service);
  std::string data(1, '\0');  // not compressed
  for (int shift : {24, 16, 8, 0}) data += static_cast<char>((message.size() >> shift) & 0xff);
  data += message;
  return Frame(kSettings, 0, 0, "") + Frame(kHeaders, kEndHeaders, kStream, headers) +
         Frame(kData, kEndStream, kStream, data);
}

Result<GrpcServingStatus> QueryGrpcHealth(const Probe& probe) {
  Clock::time_point deadline = Clock::now() + std::chrono::seconds(probe.timeout_seconds);
  UniqueFd fd = ConnectBefore(probe.host, probe.port, deadline);
  std::string where =
      (probe.host.empty() ? "127.0.0.1" : probe.host) + ":" + std::to_string(probe.port);
  if (!fd.valid()) return Status::Error("cannot connect to " + where);
  Wire wire(fd.get(), deadline);
  if (Status s =
          wire.Send(std::string(kPreface) + GrpcHealthRequestFrames(where, probe.grpc_service));
      !s.ok()) {
    return s;
  }
  std::string message;  // the DATA of our stream: gRPC length-prefixed messages
  while (true) {
    Result<std::string> head = wire.Receive(9);
    if (!head.ok()) return head.status();
    const auto* h = reinterpret_cast<const uint8_t*>(head->data());
    size_t length = (size_t{h[0]} << 16) | (size_t{h[1]} << 8) | h[2];
    uint8_t type = h[3], flags = h[4];
    uint32_t stream =
        ((uint32_t{h[5]} << 24) | (uint32_t{h[6]} << 16) | (uint32_t{h[7]} << 8) | h[8]) &
        0x7fffffff;
    if (length > kMaxFrame) return Status::Error("not an HTTP/2 gRPC server");
    Result<std::string> payload = wire.Receive(length);
    if (!payload.ok()) return payload.status();
    if (type == kSettings && !(flags & kAck)) {
      if (Status s = wire.Send(Frame(kSettings, kAck, 0, "")); !s.ok()) return s;
    } else if (type == kPing && !(flags & kAck)) {
      if (Status s = wire.Send(Frame(kPing, kAck, 0, *payload)); !s.ok()) return s;
    } else if (type == kGoAway) {
      return Status::Error("the server sent GOAWAY");
    } else if (type == kRstStream && stream == kStream) {
      return Status::Error("the server reset the stream");
    } else if (type == kData && stream == kStream) {
      std::string_view data = *payload;
      if (flags & kPadded) {
        size_t pad = data.empty() ? 0 : static_cast<uint8_t>(data[0]);
        if (data.empty() || pad + 1 > data.size()) return Status::Error("a malformed DATA frame");
        data = data.substr(1, data.size() - 1 - pad);
      }
      message.append(data);
      if (message.size() >= 5) {
        const auto* m = reinterpret_cast<const uint8_t*>(message.data());
        size_t size = (size_t{m[1]} << 24) | (size_t{m[2]} << 16) | (size_t{m[3]} << 8) | m[4];
        if (m[0] != 0) return Status::Error("a compressed response");
        if (message.size() >= 5 + size) {
          return ParseHealthCheckResponse(std::string_view(message).substr(5, size));
        }
      }
    }
    if ((type == kData || type == kHeaders) && stream == kStream && (flags & kEndStream)) {
      // Trailers only: the call failed (NOT_FOUND for a service the server does not know).
      return Status::Error("the call ended without a response (a gRPC error status)");
    }
  }
}

Status CheckGrpcHealth(const Probe& probe) {
  Result<GrpcServingStatus> status = QueryGrpcHealth(probe);
  if (!status.ok()) return status.status();
  if (*status != GrpcServingStatus::kServing) {
    return Status::Error(std::string("the service is ") + ServingStatusName(*status));
  }
  return Status::Ok();
}

}  // namespace i2kit
