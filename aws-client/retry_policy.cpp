#include "aws-client/retry_policy.h"

#include <algorithm>
#include <array>
#include <memory>
#include <random>

namespace i2kit::aws {
namespace {

constexpr std::array<std::string_view, 13> kThrottlingErrorCodes = {
    "Throttling",
    "ThrottlingException",
    "ThrottledException",
    "RequestThrottledException",
    "TooManyRequestsException",
    "ProvisionedThroughputExceededException",
    "TransactionInProgressException",
    "RequestLimitExceeded",
    "BandwidthLimitExceeded",
    "LimitExceededException",
    "RequestThrottled",
    "SlowDown",
    "EC2ThrottledException",
};

constexpr std::array<std::string_view, 3> kTransientErrorCodes = {
    "RequestTimeout", "RequestTimeoutException", "PriorRequestNotComplete"};

bool Contains(const auto& list, std::string_view code) {
  return std::find(list.begin(), list.end(), code) != list.end();
}

}  // namespace

bool IsThrottlingErrorCode(std::string_view code) {
  return Contains(kThrottlingErrorCodes, code);
}

RetryKind ClassifyOutcome(const AttemptOutcome& outcome) {
  if (outcome.connection_failed || outcome.timed_out) return RetryKind::kTransient;
  if (outcome.http_status >= 200 && outcome.http_status < 300) return RetryKind::kNotRetryable;
  if (IsThrottlingErrorCode(outcome.error_code) || outcome.http_status == 429) {
    return RetryKind::kThrottling;
  }
  if (Contains(kTransientErrorCodes, outcome.error_code)) return RetryKind::kTransient;
  switch (outcome.http_status) {
    case 500:
    case 502:
    case 503:
    case 504:
      return RetryKind::kTransient;
    default:
      return RetryKind::kNotRetryable;
  }
}

RandomFraction DefaultRandomFraction() {
  auto engine = std::make_shared<std::mt19937_64>(std::random_device{}());
  return [engine] { return std::uniform_real_distribution<double>(0.0, 1.0)(*engine); };
}

RetryPolicy::RetryPolicy(RetryOptions options, RandomFraction random_fraction)
    : options_(options),
      random_fraction_(std::move(random_fraction)),
      available_quota_(options.quota_capacity) {}

std::optional<std::chrono::milliseconds> RetryPolicy::RetryAfter(RetryState& state,
                                                                 const AttemptOutcome& outcome) {
  ++state.failed_attempts;
  RetryKind kind = ClassifyOutcome(outcome);
  if (kind == RetryKind::kNotRetryable) return std::nullopt;
  if (state.failed_attempts >= options_.max_attempts) return std::nullopt;
  int cost = outcome.timed_out ? options_.timeout_retry_cost : options_.retry_cost;
  if (cost > available_quota_) return std::nullopt;
  available_quota_ -= cost;
  state.last_retry_cost = cost;

  std::chrono::milliseconds base = kind == RetryKind::kThrottling ? options_.throttling_base_delay
                                                                  : options_.transient_base_delay;
  // base·2^(n-1), computed in double so a large attempt count cannot overflow before the cap.
  double ceiling = static_cast<double>(base.count());
  for (int i = 1; i < state.failed_attempts && ceiling < options_.max_backoff.count(); ++i) {
    ceiling *= 2;
  }
  ceiling = std::min(ceiling, static_cast<double>(options_.max_backoff.count()));
  double fraction = std::clamp(random_fraction_(), 0.0, 1.0);
  return std::chrono::milliseconds(static_cast<long long>(fraction * ceiling));
}

void RetryPolicy::RecordSuccess(const RetryState& state) {
  int refill = state.failed_attempts == 0 ? options_.success_refill : state.last_retry_cost;
  available_quota_ = std::min(options_.quota_capacity, available_quota_ + refill);
}

}  // namespace i2kit::aws
