// ELB-style target health: thresholds, flapping, timeouts, silence and the one-way drain.
#include "local-cluster/target_health.h"

#include <gtest/gtest.h>

namespace i2kit {
namespace {

using std::chrono::milliseconds;
using Clock = TargetHealth::Clock;

constexpr Clock::time_point kStart{std::chrono::hours(1)};

// Settings with distinct thresholds, so a test shows which one applied.
HealthCheckSettings Settings() {
  HealthCheckSettings settings;
  settings.healthy_threshold = 3;
  settings.unhealthy_threshold = 2;
  return settings;
}

// Feeds `results` one interval apart, starting one interval after kStart.
void Feed(TargetHealth& target, std::initializer_list<CheckResult> results, int first = 1) {
  int i = first;
  for (CheckResult result : results) target.Record(result, kStart + i++ * milliseconds(1000));
}

TEST(TargetHealthTest, NewTargetIsInitialAndOutOfService) {
  TargetHealth target(Settings(), kStart);
  EXPECT_EQ(target.state(), TargetState::kInitial);
  EXPECT_FALSE(target.InService());
  EXPECT_EQ(target.NextCheckDue(), kStart);
}

TEST(TargetHealthTest, EntersServiceOnlyAtTheHealthyThreshold) {
  TargetHealth target(Settings(), kStart);
  Feed(target, {CheckResult::kSuccess, CheckResult::kSuccess});
  EXPECT_EQ(target.state(), TargetState::kInitial);
  EXPECT_TRUE(target.Record(CheckResult::kSuccess, kStart + milliseconds(3000)));
  EXPECT_EQ(target.state(), TargetState::kHealthy);
  EXPECT_TRUE(target.InService());
}

TEST(TargetHealthTest, TargetThatNeverStartsBecomesUnhealthy) {
  TargetHealth target(Settings(), kStart);
  EXPECT_FALSE(target.Record(CheckResult::kFailure, kStart + milliseconds(1000)));
  EXPECT_TRUE(target.Record(CheckResult::kFailure, kStart + milliseconds(2000)));
  EXPECT_EQ(target.state(), TargetState::kUnhealthy);
  EXPECT_FALSE(target.InService());
}

TEST(TargetHealthTest, HealthyTargetLeavesServiceAtTheUnhealthyThreshold) {
  TargetHealth target(Settings(), kStart);
  Feed(target, {CheckResult::kSuccess, CheckResult::kSuccess, CheckResult::kSuccess,
                CheckResult::kFailure});
  EXPECT_TRUE(target.InService());  // one failure is not enough
  EXPECT_EQ(target.consecutive_failures(), 1);
  Feed(target, {CheckResult::kFailure}, 5);
  EXPECT_EQ(target.state(), TargetState::kUnhealthy);
}

TEST(TargetHealthTest, TimeoutsCountAsFailures) {
  TargetHealth target(Settings(), kStart);
  Feed(target, {CheckResult::kSuccess, CheckResult::kSuccess, CheckResult::kSuccess,
                CheckResult::kTimeout, CheckResult::kFailure});
  EXPECT_EQ(target.state(), TargetState::kUnhealthy);
}

TEST(TargetHealthTest, FlappingReachesNeitherThreshold) {
  TargetHealth target(Settings(), kStart);
  Feed(target, {CheckResult::kSuccess, CheckResult::kFailure, CheckResult::kSuccess,
                CheckResult::kSuccess, CheckResult::kFailure, CheckResult::kSuccess});
  EXPECT_EQ(target.state(), TargetState::kInitial);

  Feed(target, {CheckResult::kSuccess, CheckResult::kSuccess}, 7);
  ASSERT_TRUE(target.InService());
  Feed(target,
       {CheckResult::kFailure, CheckResult::kSuccess, CheckResult::kFailure, CheckResult::kSuccess},
       9);
  EXPECT_TRUE(target.InService());
}

TEST(TargetHealthTest, UnhealthyTargetRecoversAtTheHealthyThreshold) {
  TargetHealth target(Settings(), kStart);
  Feed(target, {CheckResult::kFailure, CheckResult::kFailure, CheckResult::kSuccess,
                CheckResult::kSuccess});
  EXPECT_EQ(target.state(), TargetState::kUnhealthy);
  Feed(target, {CheckResult::kSuccess}, 5);
  EXPECT_EQ(target.state(), TargetState::kHealthy);
}

TEST(TargetHealthTest, ResultOlderThanTheLastIsIgnored) {
  TargetHealth target(Settings(), kStart);
  Feed(target, {CheckResult::kSuccess, CheckResult::kSuccess});
  EXPECT_FALSE(target.Record(CheckResult::kFailure, kStart + milliseconds(1500)));
  EXPECT_EQ(target.consecutive_successes(), 2);
  EXPECT_EQ(target.consecutive_failures(), 0);
}

TEST(TargetHealthTest, NextCheckIsOneIntervalAfterTheLastResult) {
  TargetHealth target(Settings(), kStart);
  target.Record(CheckResult::kSuccess, kStart + milliseconds(300));
  EXPECT_EQ(target.NextCheckDue(), kStart + milliseconds(1300));
}

TEST(TargetHealthTest, SilenceIsMeasuredFromTheLastSuccess) {
  TargetHealth target(Settings(), kStart);
  EXPECT_EQ(target.silent_since(), kStart);
  EXPECT_TRUE(target.SilentFor(3, kStart + milliseconds(3000)));

  Feed(target, {CheckResult::kSuccess, CheckResult::kTimeout, CheckResult::kTimeout});
  EXPECT_EQ(target.silent_since(), kStart + milliseconds(1000));
  EXPECT_FALSE(target.SilentFor(3, kStart + milliseconds(3999)));
  EXPECT_TRUE(target.SilentFor(3, kStart + milliseconds(4000)));
}

TEST(TargetHealthTest, DrainingIsTerminal) {
  TargetHealth target(Settings(), kStart);
  Feed(target, {CheckResult::kSuccess, CheckResult::kSuccess, CheckResult::kSuccess});
  ASSERT_TRUE(target.InService());
  target.Deregister();
  EXPECT_EQ(target.state(), TargetState::kDraining);
  EXPECT_FALSE(target.InService());
  Feed(target, {CheckResult::kSuccess, CheckResult::kSuccess, CheckResult::kSuccess}, 4);
  EXPECT_EQ(target.state(), TargetState::kDraining);
  EXPECT_EQ(target.NextCheckDue(), Clock::time_point::max());
}

TEST(TargetHealthTest, GoneOnlyAfterDraining) {
  TargetHealth target(Settings(), kStart);
  target.MarkGone();
  EXPECT_EQ(target.state(), TargetState::kInitial);
  target.Deregister();
  target.MarkGone();
  EXPECT_EQ(target.state(), TargetState::kGone);
  target.Deregister();
  EXPECT_EQ(target.state(), TargetState::kGone);
  EXPECT_EQ(TargetStateName(target.state()), "gone");
}

TEST(TargetHealthTest, DefaultsPutAReplicaInServiceWithinTwoSeconds) {
  HealthCheckSettings defaults;
  ASSERT_TRUE(ValidateHealthCheckSettings(defaults).ok());
  TargetHealth target(defaults, kStart);
  target.Record(CheckResult::kSuccess, kStart);
  target.Record(CheckResult::kSuccess, target.NextCheckDue());
  EXPECT_TRUE(target.InService());
  EXPECT_LE(target.NextCheckDue() - kStart, milliseconds(2000));
}

TEST(TargetHealthTest, SettingsOutOfRangeAreRejectedByName) {
  HealthCheckSettings settings;
  settings.timeout = milliseconds(1500);
  EXPECT_NE(ValidateHealthCheckSettings(settings).message().find("timeout"), std::string::npos);
  settings = {};
  settings.interval = milliseconds(0);
  EXPECT_NE(ValidateHealthCheckSettings(settings).message().find("interval"), std::string::npos);
  settings = {};
  settings.unhealthy_threshold = 0;
  EXPECT_NE(ValidateHealthCheckSettings(settings).message().find("unhealthy threshold"),
            std::string::npos);
  settings = {};
  settings.healthy_threshold = 11;
  EXPECT_NE(ValidateHealthCheckSettings(settings).message().find("healthy threshold"),
            std::string::npos);
}

}  // namespace
}  // namespace i2kit
