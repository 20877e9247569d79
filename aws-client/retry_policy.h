// When to try an AWS request again and how long to wait first: the AWS SDKs' "standard" retry
// mode (botocore retries/standard.py and quota.py) — at most 3 attempts, full-jitter
// exponential back-off capped at 20 s, and a retry quota that stops retry storms when a
// service is down rather than busy.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace i2kit::aws {

// What one attempt came to, as far as retrying cares.
struct AttemptOutcome {
  bool connection_failed = false;  // no response: refused, reset, DNS, TLS
  bool timed_out = false;          // no response in time
  int http_status = 0;             // 0 without a response
  std::string error_code;          // the AWS error code of the body ("Throttling"), if any
};

enum class RetryKind {
  kNotRetryable,
  kTransient,   // 500/502/503/504, RequestTimeout…, transport failures
  kThrottling,  // the service asks us to slow down: 429, Throttling, SlowDown…
};

// True for the error codes AWS services use to throttle (Throttling, ThrottlingException,
// RequestLimitExceeded, SlowDown, …).
bool IsThrottlingErrorCode(std::string_view code);

// How `outcome` may be retried, if at all. Successes (2xx) are never retryable.
RetryKind ClassifyOutcome(const AttemptOutcome& outcome);

struct RetryOptions {
  int max_attempts = 3;  // the first attempt included
  // The back-off before retry n (1-based) is random·min(base·2^(n-1), max_backoff); botocore
  // scales throttling errors by 1 s and other transient errors by 50 ms.
  std::chrono::milliseconds throttling_base_delay{1000};
  std::chrono::milliseconds transient_base_delay{50};
  std::chrono::milliseconds max_backoff{20'000};
  // The quota: every retry spends from it (timeouts more), every success refills it.
  int quota_capacity = 500;
  int retry_cost = 5;
  int timeout_retry_cost = 10;
  int success_refill = 1;
};

// A uniformly distributed number in [0, 1); injected so tests choose the jitter.
using RandomFraction = std::function<double()>;

// A RandomFraction from a Mersenne Twister seeded by std::random_device.
RandomFraction DefaultRandomFraction();

// One request's progress through its attempts.
struct RetryState {
  int failed_attempts = 0;
  int last_retry_cost = 0;  // what the latest retry took from the quota
};

// Decides retries for every request of one client: the quota is shared between them, as in the
// SDKs. Not thread-safe; one per client thread.
class RetryPolicy {
 public:
  explicit RetryPolicy(RetryOptions options = {},
                       RandomFraction random_fraction = DefaultRandomFraction());

  // Records a failed attempt of the request `state` follows; returns how long to wait before
  // the next attempt, or nullopt when the outcome is not retryable, the attempts are used up or
  // the quota cannot pay for another retry.
  std::optional<std::chrono::milliseconds> RetryAfter(RetryState& state,
                                                      const AttemptOutcome& outcome);

  // Records that the request `state` follows succeeded: refills the quota.
  void RecordSuccess(const RetryState& state);

  int available_quota() const { return available_quota_; }
  const RetryOptions& options() const { return options_; }

 private:
  RetryOptions options_;
  RandomFraction random_fraction_;
  int available_quota_;
};

}  // namespace i2kit::aws
