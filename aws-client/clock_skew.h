// A machine whose clock is off by more than 5 minutes is refused by every SigV4 service. As the
// AWS SDKs do, the client learns AWS's time from the Date header of such a refusal and signs
// every later request with its own time corrected by the difference.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string_view>

#include "aws-client/http_transport.h"

namespace i2kit::aws {

// How far AWS's clock is ahead of this machine's, shared by every client of a session (their
// threads too): atomic.
class ClockSkew {
 public:
  std::chrono::seconds offset() const { return std::chrono::seconds(seconds_.load()); }
  void Set(std::chrono::seconds offset) { seconds_.store(offset.count()); }

 private:
  std::atomic<int64_t> seconds_{0};
};

// AWS refuses a request this far from its own time (SigV4: 5 minutes); a Date header further
// than the SDKs' threshold (4 minutes) from the time signed is worth correcting.
inline constexpr std::chrono::minutes kClockSkewThreshold{4};

// True for the codes AWS answers a request signed at the wrong time with, per protocol:
// RequestTimeTooSkewed (S3), RequestExpired (EC2), SignatureDoesNotMatch (Query, REST),
// InvalidSignatureException (JSON), AuthFailure, RequestInTheFuture (the SDKs' list).
bool IsClockSkewErrorCode(std::string_view code);

// An HTTP date (RFC 9110 §5.6.7, IMF-fixdate: "Mon, 07 Dec 2026 05:00:00 GMT"); nullopt when
// `text` is not one.
std::optional<std::chrono::sys_seconds> ParseHttpDate(std::string_view text);

// The correction a refused response calls for: AWS's time (its Date) minus `signed_at`, when
// `error_code` is a clock skew code and they differ by more than kClockSkewThreshold; nullopt
// otherwise (a wrong secret is not a wrong clock).
std::optional<std::chrono::seconds> ClockCorrection(const HttpResponse& response,
                                                    std::string_view error_code,
                                                    std::chrono::sys_seconds signed_at);

}  // namespace i2kit::aws
