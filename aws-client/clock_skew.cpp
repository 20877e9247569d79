#include "aws-client/clock_skew.h"

#include <time.h>

#include <algorithm>
#include <array>
#include <string>

#include "aws-client/http1_response.h"

namespace i2kit::aws {

bool IsClockSkewErrorCode(std::string_view code) {
  static constexpr std::array<std::string_view, 6> kCodes = {
      "RequestTimeTooSkewed",      "RequestExpired", "SignatureDoesNotMatch",
      "InvalidSignatureException", "AuthFailure",    "RequestInTheFuture"};
  return std::find(kCodes.begin(), kCodes.end(), code) != kCodes.end();
}

std::optional<std::chrono::sys_seconds> ParseHttpDate(std::string_view text) {
  std::string copy(text);
  struct tm fields {};
  const char* end = ::strptime(copy.c_str(), "%a, %d %b %Y %H:%M:%S GMT", &fields);
  if (end == nullptr || *end != '\0') return std::nullopt;
  time_t seconds = ::timegm(&fields);
  if (seconds == -1) return std::nullopt;
  return std::chrono::sys_seconds(std::chrono::seconds(seconds));
}

std::optional<std::chrono::seconds> ClockCorrection(const HttpResponse& response,
                                                    std::string_view error_code,
                                                    std::chrono::sys_seconds signed_at) {
  if (!IsClockSkewErrorCode(error_code)) return std::nullopt;
  std::optional<std::string_view> date = FindHeader(response.headers, "Date");
  if (!date) return std::nullopt;
  std::optional<std::chrono::sys_seconds> aws_time = ParseHttpDate(*date);
  if (!aws_time) return std::nullopt;
  std::chrono::seconds difference = *aws_time - signed_at;
  if (std::chrono::abs(difference) <= kClockSkewThreshold) return std::nullopt;
  return difference;
}

}  // namespace i2kit::aws
