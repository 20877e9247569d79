#include "aws-client/retry_policy.h"

#include <gtest/gtest.h>

namespace i2kit::aws {
namespace {

using std::chrono::milliseconds;

AttemptOutcome Response(int status, std::string code = "") {
  AttemptOutcome outcome;
  outcome.http_status = status;
  outcome.error_code = std::move(code);
  return outcome;
}

AttemptOutcome Timeout() {
  AttemptOutcome outcome;
  outcome.timed_out = true;
  return outcome;
}

AttemptOutcome ConnectionRefused() {
  AttemptOutcome outcome;
  outcome.connection_failed = true;
  return outcome;
}

RandomFraction Always(double fraction) {
  return [fraction] { return fraction; };
}

TEST(RetryPolicyTest, ClassifiesThrottlingErrorCodes) {
  for (const char* code :
       {"Throttling", "ThrottlingException", "RequestLimitExceeded", "TooManyRequestsException",
        "ProvisionedThroughputExceededException", "RequestThrottled", "SlowDown"}) {
    EXPECT_TRUE(IsThrottlingErrorCode(code)) << code;
    EXPECT_EQ(ClassifyOutcome(Response(400, code)), RetryKind::kThrottling) << code;
  }
  EXPECT_FALSE(IsThrottlingErrorCode("throttling"));  // codes are case-sensitive
  EXPECT_EQ(ClassifyOutcome(Response(429)), RetryKind::kThrottling);
}

TEST(RetryPolicyTest, ClassifiesServerAndTransportFailuresAsTransient) {
  for (int status : {500, 502, 503, 504}) {
    EXPECT_EQ(ClassifyOutcome(Response(status)), RetryKind::kTransient) << status;
  }
  EXPECT_EQ(ClassifyOutcome(Response(400, "RequestTimeout")), RetryKind::kTransient);
  EXPECT_EQ(ClassifyOutcome(Timeout()), RetryKind::kTransient);
  EXPECT_EQ(ClassifyOutcome(ConnectionRefused()), RetryKind::kTransient);
}

TEST(RetryPolicyTest, DoesNotRetryClientErrorsOrSuccess) {
  EXPECT_EQ(ClassifyOutcome(Response(400, "ValidationError")), RetryKind::kNotRetryable);
  EXPECT_EQ(ClassifyOutcome(Response(403, "SignatureDoesNotMatch")), RetryKind::kNotRetryable);
  EXPECT_EQ(ClassifyOutcome(Response(501)), RetryKind::kNotRetryable);
  EXPECT_EQ(ClassifyOutcome(Response(200)), RetryKind::kNotRetryable);
  RetryPolicy policy(RetryOptions{}, Always(0.5));
  RetryState state;
  EXPECT_EQ(policy.RetryAfter(state, Response(400, "ValidationError")), std::nullopt);
}

TEST(RetryPolicyTest, StopsAfterThreeAttemptsByDefault) {
  RetryPolicy policy(RetryOptions{}, Always(0.5));
  RetryState state;
  EXPECT_TRUE(policy.RetryAfter(state, Response(503)).has_value());
  EXPECT_TRUE(policy.RetryAfter(state, Response(503)).has_value());
  EXPECT_EQ(policy.RetryAfter(state, Response(503)), std::nullopt);
  EXPECT_EQ(state.failed_attempts, 3);
}

TEST(RetryPolicyTest, BacksOffExponentiallyWithFullJitter) {
  RetryOptions options;
  options.max_attempts = 5;
  RetryPolicy top(options, Always(0.999999));
  RetryState throttled;
  EXPECT_EQ(top.RetryAfter(throttled, Response(400, "Throttling")), milliseconds(999));
  EXPECT_EQ(top.RetryAfter(throttled, Response(400, "Throttling")), milliseconds(1999));
  EXPECT_EQ(top.RetryAfter(throttled, Response(400, "Throttling")), milliseconds(3999));
  RetryState failing;
  EXPECT_EQ(top.RetryAfter(failing, Response(500)), milliseconds(49));
  EXPECT_EQ(top.RetryAfter(failing, Response(500)), milliseconds(99));

  RetryPolicy bottom(options, Always(0.0));
  RetryState state;
  EXPECT_EQ(bottom.RetryAfter(state, Response(429)), milliseconds(0));
}

TEST(RetryPolicyTest, CapsTheBackOffAtTwentySeconds) {
  RetryOptions options;
  options.max_attempts = 100;
  options.quota_capacity = 1'000;
  RetryPolicy policy(options, Always(1.0));
  RetryState state;
  std::optional<milliseconds> delay;
  for (int i = 0; i < 60; ++i) delay = policy.RetryAfter(state, Response(400, "SlowDown"));
  EXPECT_EQ(delay, milliseconds(20'000));
}

TEST(RetryPolicyTest, ClampsAnOutOfRangeRandomSource) {
  RetryPolicy policy(RetryOptions{}, Always(7.0));
  RetryState state;
  EXPECT_EQ(policy.RetryAfter(state, Response(400, "Throttling")), milliseconds(1000));
}

TEST(RetryPolicyTest, RetriesSpendTheQuotaAndTimeoutsSpendMore) {
  RetryPolicy policy(RetryOptions{}, Always(0.5));
  RetryState state;
  ASSERT_TRUE(policy.RetryAfter(state, Response(503)).has_value());
  EXPECT_EQ(policy.available_quota(), 495);
  ASSERT_TRUE(policy.RetryAfter(state, Timeout()).has_value());
  EXPECT_EQ(policy.available_quota(), 485);
  policy.RecordSuccess(state);  // gives back what the last retry took
  EXPECT_EQ(policy.available_quota(), 495);
  policy.RecordSuccess(RetryState{});  // a first-time success adds one
  EXPECT_EQ(policy.available_quota(), 496);
}

TEST(RetryPolicyTest, StopsRetryingWhenTheQuotaIsSpent) {
  RetryOptions options;
  options.quota_capacity = 12;
  RetryPolicy policy(options, Always(0.5));
  RetryState first, second, third;
  EXPECT_TRUE(policy.RetryAfter(first, Response(500)).has_value());
  EXPECT_TRUE(policy.RetryAfter(second, Response(500)).has_value());
  EXPECT_EQ(policy.RetryAfter(third, Response(500)), std::nullopt);
  EXPECT_EQ(policy.available_quota(), 2);
  policy.RecordSuccess(RetryState{});
  policy.RecordSuccess(RetryState{});
  policy.RecordSuccess(RetryState{});
  EXPECT_TRUE(policy.RetryAfter(third, Response(500)).has_value());
}

TEST(RetryPolicyTest, NeverRefillsBeyondCapacity) {
  RetryPolicy policy(RetryOptions{}, Always(0.5));
  policy.RecordSuccess(RetryState{});
  EXPECT_EQ(policy.available_quota(), 500);
}

TEST(RetryPolicyTest, DefaultRandomFractionStaysInRange) {
  RandomFraction random = DefaultRandomFraction();
  for (int i = 0; i < 1000; ++i) {
    double fraction = random();
    ASSERT_GE(fraction, 0.0);
    ASSERT_LT(fraction, 1.0);
  }
}

}  // namespace
}  // namespace i2kit::aws
