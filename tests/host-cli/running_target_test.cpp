#include "host-cli/running_target.h"

#include <gtest/gtest.h>

namespace i2kit {
namespace {

using Kind = RunningTarget::Kind;

TEST(RunningTargetTest, AKnownDeploymentsNameWinsOverAnExistingPath) {
  EXPECT_EQ(ChooseTargetKind(/*is_name=*/true, /*known=*/true, /*existing=*/true), Kind::kName);
}

TEST(RunningTargetTest, AnExistingPathIsAPathWhenNoDeploymentHasItsName) {
  EXPECT_EQ(ChooseTargetKind(true, false, true), Kind::kPath);
  EXPECT_EQ(ChooseTargetKind(false, false, true), Kind::kPath);
}

TEST(RunningTargetTest, ANameNeitherKnownNorAPathStaysAName) {
  EXPECT_EQ(ChooseTargetKind(true, false, false), Kind::kName);
}

TEST(RunningTargetTest, VerbsWithoutPathsReadEveryArgumentAsAName) {
  StateDir state("/nonexistent-i2kit-state");
  Result<RunningTarget> target = ResolveRunningTarget(state, "tmp", /*accept_paths=*/false);
  ASSERT_TRUE(target.ok());
  EXPECT_EQ(target->kind, Kind::kName);
  EXPECT_EQ(target->name.deployment, "tmp");
  EXPECT_FALSE(ResolveRunningTarget(state, "/tmp", false).ok());
  Result<RunningTarget> path = ResolveRunningTarget(state, "/tmp", true);
  ASSERT_TRUE(path.ok());
  EXPECT_EQ(path->kind, Kind::kPath);
}

}  // namespace
}  // namespace i2kit
