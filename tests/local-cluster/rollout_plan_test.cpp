// The rollout planner: Kubernetes' surge and unavailability arithmetic, Recreate, scaling and
// the replacement of replicas that died.
#include "local-cluster/rollout_plan.h"

#include <gtest/gtest.h>

namespace i2kit {
namespace {

ReplicaView Old(int id, bool ready = true) {
  return {id, false, ready, false};
}
ReplicaView New(int id, bool ready = true) {
  return {id, true, ready, false};
}
ReplicaView Leaving(int id, bool current = false) {
  return {id, current, false, true};
}

// Kubernetes' defaults for 3 replicas: maxSurge 25% rounds up to 1, maxUnavailable 25% down to 0.
constexpr RolloutSpec kThree{3, 1, 0, false};

TEST(RolloutPlan, StartsEveryReplicaOfAFreshDeployment) {
  RolloutActions a = PlanRollout(kThree, {});
  EXPECT_EQ(a.start, 3);
  EXPECT_TRUE(a.retire.empty());
  EXPECT_FALSE(a.complete);
}

TEST(RolloutPlan, IsCompleteWithNReadyCurrentReplicasAndNothingElse) {
  RolloutActions a = PlanRollout(kThree, {New(0), New(1), New(2)});
  EXPECT_EQ(a.start, 0);
  EXPECT_TRUE(a.retire.empty());
  EXPECT_TRUE(a.complete);
}

TEST(RolloutPlan, IsNotCompleteWhileAReplicaIsStillBootingOrLeaving) {
  EXPECT_FALSE(PlanRollout(kThree, {New(0), New(1), New(2, false)}).complete);
  EXPECT_FALSE(PlanRollout(kThree, {New(0), New(1), New(2), Leaving(3)}).complete);
}

TEST(RolloutPlan, UpdateSurgesOneNewReplicaAndRetiresNothingYet) {
  RolloutActions a = PlanRollout(kThree, {Old(0), Old(1), Old(2)});
  EXPECT_EQ(a.start, 1);
  EXPECT_TRUE(a.retire.empty());
}

TEST(RolloutPlan, RetiresOneOldReplicaOnlyOnceANewOneIsReady) {
  EXPECT_TRUE(PlanRollout(kThree, {Old(0), Old(1), Old(2), New(3, false)}).retire.empty());
  RolloutActions a = PlanRollout(kThree, {Old(0), Old(1), Old(2), New(3)});
  EXPECT_EQ(a.retire, std::vector<int>{0});
  EXPECT_EQ(a.start, 0);
}

TEST(RolloutPlan, LeavingReplicasDoNotCountAgainstTheSurge) {
  RolloutActions a = PlanRollout(kThree, {Leaving(0), Old(1), Old(2), New(3)});
  EXPECT_EQ(a.start, 1);
  EXPECT_TRUE(a.retire.empty());
}

TEST(RolloutPlan, ANewReplicaThatNeverGetsReadyStallsTheUpdateWithOldOnesServing) {
  RolloutActions a = PlanRollout(kThree, {Old(0), Old(1), Old(2), New(3, false)});
  EXPECT_EQ(a.start, 0);
  EXPECT_TRUE(a.retire.empty());
  EXPECT_FALSE(a.complete);
}

TEST(RolloutPlan, MaxUnavailableLetsOldReplicasGoBeforeNewOnesAreReady) {
  RolloutSpec spec{2, 0, 1, false};
  RolloutActions a = PlanRollout(spec, {Old(0), Old(1)});
  EXPECT_EQ(a.start, 0);
  EXPECT_EQ(a.retire, std::vector<int>{0});
  RolloutActions next = PlanRollout(spec, {Leaving(0), Old(1)});
  EXPECT_EQ(next.start, 1);
  EXPECT_TRUE(next.retire.empty());
}

TEST(RolloutPlan, OldReplicasThatServeNobodyAreRetiredFirst) {
  RolloutSpec spec{3, 1, 1, false};
  RolloutActions a = PlanRollout(spec, {Old(0), Old(1, false), Old(2)});
  EXPECT_EQ(a.retire, std::vector<int>{1});
  EXPECT_EQ(a.start, 1);
}

TEST(RolloutPlan, NeverTakesReadyReplicasBelowTheMinimumAvailable) {
  RolloutSpec spec{4, 2, 1, false};
  RolloutActions a = PlanRollout(spec, {Old(0), Old(1), Old(2), Old(3), New(4), New(5)});
  // 6 running, 4 − 1 = 3 must stay available: 3 of the old ones may go, in order.
  EXPECT_EQ(a.retire, (std::vector<int>{0, 1, 2}));
}

TEST(RolloutPlan, ReplacesAReplicaThatDied) {
  RolloutActions a = PlanRollout(kThree, {New(0), New(2)});
  EXPECT_EQ(a.start, 1);
  EXPECT_TRUE(a.retire.empty());
}

TEST(RolloutPlan, ScalingDownRetiresUnreadyReplicasFirst) {
  RolloutActions a = PlanRollout(kThree, {New(0), New(1), New(2, false), New(3)});
  EXPECT_EQ(a.retire, std::vector<int>{2});
  EXPECT_EQ(a.start, 0);
}

TEST(RolloutPlan, RecreateRetiresEveryOldReplicaBeforeStartingAny) {
  RolloutSpec spec{2, 0, 0, true};
  RolloutActions a = PlanRollout(spec, {Old(0), Old(1, false)});
  EXPECT_EQ(a.start, 0);
  EXPECT_EQ(a.retire, (std::vector<int>{1, 0}));
  EXPECT_EQ(PlanRollout(spec, {Leaving(0), Leaving(1)}).start, 0);
  EXPECT_EQ(PlanRollout(spec, {}).start, 2);
}

TEST(RolloutPlan, ZeroReplicasRetiresEverything) {
  RolloutActions a = PlanRollout({0, 0, 0, false}, {New(0), Old(1)});
  EXPECT_EQ(a.start, 0);
  EXPECT_EQ(a.retire.size(), 2u);
}

}  // namespace
}  // namespace i2kit
