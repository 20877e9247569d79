// The reporter's pure decisions: the startup signal and the restart limit.
#include <gtest/gtest.h>

#include "ec2-reporter/restart_watch.h"
#include "ec2-reporter/startup_signal.h"

namespace i2kit::reporter {
namespace {

using std::chrono::seconds;

AgentReport Pod(bool ready, int restarts = 0) {
  AgentReport report;
  report.ready = ready;
  report.containers.push_back({"web", ready ? "running" : "backoff", ready, restarts,
                               ready ? "" : "CrashLoopBackOff", std::nullopt});
  return report;
}

TEST(StartupSignal, SucceedsAsSoonAsThePodIsReadyAndOnlyOnce) {
  Clock::time_point start;
  StartupSignal signal(start + seconds(540), seconds(0));
  AgentReport waiting = Pod(false), ready = Pod(true);
  EXPECT_FALSE(signal.Decide(&waiting, "", start + seconds(10)));
  std::optional<SignalDecision> decision = signal.Decide(&ready, "", start + seconds(20));
  ASSERT_TRUE(decision);
  EXPECT_TRUE(decision->success);
  signal.MarkSent();
  EXPECT_FALSE(signal.Decide(&ready, "", start + seconds(30)));
  EXPECT_FALSE(signal.Decide(&waiting, "", start + seconds(600)));
}

TEST(StartupSignal, WaitsUntilTheTargetGroupWouldFindTheReadyPodHealthy) {
  Clock::time_point start;
  StartupSignal signal(start + seconds(540), seconds(20));  // 2 checks, 10 s apart
  AgentReport waiting = Pod(false), ready = Pod(true);
  EXPECT_FALSE(signal.Decide(&ready, "", start + seconds(10)));
  EXPECT_FALSE(signal.Decide(&ready, "", start + seconds(29)));
  // Ready again after a lapse: the balancer starts counting again too.
  EXPECT_FALSE(signal.Decide(&waiting, "", start + seconds(30)));
  EXPECT_FALSE(signal.Decide(&ready, "", start + seconds(35)));
  EXPECT_FALSE(signal.Decide(&ready, "", start + seconds(54)));
  std::optional<SignalDecision> decision = signal.Decide(&ready, "", start + seconds(55));
  ASSERT_TRUE(decision);
  EXPECT_TRUE(decision->success);
  EXPECT_EQ(decision->reason, "every container is ready, for 20 s: the load balancer routes to it");
}

TEST(StartupSignal, APodReadyButStillWaitingAtTheDeadlineSucceeds) {
  Clock::time_point start;
  StartupSignal signal(start + seconds(540), seconds(20));
  AgentReport ready = Pod(true);
  EXPECT_FALSE(signal.Decide(&ready, "", start + seconds(530)));
  std::optional<SignalDecision> decision = signal.Decide(&ready, "", start + seconds(540));
  ASSERT_TRUE(decision);
  EXPECT_TRUE(decision->success);
}

TEST(StartupSignal, FailsAtTheDeadlineNamingWhatIsNotReady) {
  Clock::time_point start;
  StartupSignal signal(start + seconds(540), seconds(0));
  AgentReport waiting = Pod(false);
  EXPECT_FALSE(signal.Decide(&waiting, "", start + seconds(539)));
  std::optional<SignalDecision> decision = signal.Decide(&waiting, "", start + seconds(540));
  ASSERT_TRUE(decision);
  EXPECT_FALSE(decision->success);
  EXPECT_NE(decision->reason.find("web (backoff, CrashLoopBackOff)"), std::string::npos)
      << decision->reason;
  std::optional<SignalDecision> silent =
      signal.Decide(nullptr, "connection refused", start + seconds(541));
  ASSERT_TRUE(silent);
  EXPECT_NE(silent->reason.find("agent did not answer: connection refused"), std::string::npos);
}

TEST(RestartWatch, FlagsRestartsPastTheLimitWithinTheWindow) {
  Clock::time_point t;
  RestartWatch watch(3, seconds(600));
  EXPECT_FALSE(watch.Observe(Pod(false, 1), t));
  EXPECT_FALSE(watch.Observe(Pod(false, 3), t + seconds(100)));
  std::optional<std::string> verdict = watch.Observe(Pod(false, 4), t + seconds(200));
  ASSERT_TRUE(verdict);
  EXPECT_EQ(*verdict, "container web restarted 4 times in 600 s, limit 3");
}

TEST(RestartWatch, RestartsOfUnknownAgeAtTheFirstLookAreNotCounted) {
  // A reporter restarted on a VM up for longer than the window: 9 restarts over its life.
  Clock::time_point t;
  RestartWatch late(3, seconds(600), /*earlier_count=*/false);
  EXPECT_FALSE(late.Observe(Pod(true, 9), t));
  EXPECT_FALSE(late.Observe(Pod(true, 11), t + seconds(60)));
  EXPECT_TRUE(late.Observe(Pod(true, 13), t + seconds(120)));  // 4 new ones within the window
  // At boot the same first look counts: those restarts are recent.
  RestartWatch early(3, seconds(600));
  EXPECT_TRUE(early.Observe(Pod(true, 9), t));
}

TEST(RestartWatch, ForgetsRestartsOlderThanTheWindow) {
  Clock::time_point t;
  RestartWatch watch(3, seconds(600));
  EXPECT_FALSE(watch.Observe(Pod(true, 3), t));
  // Three more, 11 minutes later: the first three have left the window.
  EXPECT_FALSE(watch.Observe(Pod(true, 6), t + seconds(660)));
  EXPECT_TRUE(watch.Observe(Pod(true, 7), t + seconds(700)));
}

}  // namespace
}  // namespace i2kit::reporter
