// The IAM policies `i2kit-host policy` prints, derived from the one table of calls. That they
// are enough, and that the stand-in refuses what they leave out, push_verb_test and
// stack_verbs_test show end to end.
#include "aws-deploy/aws_permissions.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

namespace i2kit {
namespace {

std::set<std::string> Actions(const nlohmann::ordered_json& policy) {
  std::set<std::string> actions;
  for (const auto& statement : policy["Statement"]) {
    for (const auto& action : statement["Action"]) actions.insert(action.get<std::string>());
  }
  return actions;
}

TEST(AwsPermissionsTest, PushNeedsTheSnapshotAndImageCallsAndNothingOfIamOrStacks) {
  std::set<std::string> push = Actions(IamPolicyFor(AwsFlow::kPush));
  EXPECT_TRUE(push.contains("ebs:PutSnapshotBlock"));
  EXPECT_TRUE(push.contains("ec2:RegisterImage"));
  for (const std::string& action : push) {
    EXPECT_FALSE(action.starts_with("iam:") || action.starts_with("cloudformation:")) << action;
  }
}

TEST(AwsPermissionsTest, DeployCoversPushAndPassesTheInstanceRoleToEc2Only) {
  std::set<std::string> push = Actions(IamPolicyFor(AwsFlow::kPush));
  nlohmann::ordered_json deploy = IamPolicyFor(AwsFlow::kDeploy);
  std::set<std::string> actions = Actions(deploy);
  for (const std::string& action : push) EXPECT_TRUE(actions.contains(action)) << action;
  EXPECT_EQ(deploy["Version"], "2012-10-17");
  bool pass_role = false, service_linked = false;
  for (const auto& statement : deploy["Statement"]) {
    EXPECT_EQ(statement["Effect"], "Allow");
    if (statement["Action"] == nlohmann::ordered_json::array({"iam:PassRole"})) {
      pass_role = true;
      EXPECT_EQ(statement["Condition"]["StringEquals"]["iam:PassedToService"], "ec2.amazonaws.com");
    }
    if (statement["Action"] == nlohmann::ordered_json::array({"iam:CreateServiceLinkedRole"})) {
      service_linked = true;
      EXPECT_EQ(statement["Resource"].size(), 2u);
      EXPECT_TRUE(statement["Resource"][0].get<std::string>().ends_with(
          "/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling"));
    }
  }
  EXPECT_TRUE(pass_role);
  EXPECT_TRUE(service_linked);
}

TEST(AwsPermissionsTest, S3IsAllowedOnlyOnI2kitsTemplateBuckets) {
  int s3_statements = 0;
  nlohmann::ordered_json deploy = IamPolicyFor(AwsFlow::kDeploy);
  for (const auto& statement : deploy["Statement"]) {
    bool s3 = false;
    for (const auto& action : statement["Action"])
      s3 |= action.get<std::string>().starts_with("s3:");
    if (!s3) continue;
    ++s3_statements;
    EXPECT_EQ(statement["Resource"],
              nlohmann::ordered_json::array(
                  {"arn:aws:s3:::i2kit-templates-*", "arn:aws:s3:::i2kit-templates-*/*"}));
    EXPECT_EQ(statement["Action"].size(), 7u);
  }
  EXPECT_EQ(s3_statements, 1);
  for (const std::string& action : Actions(IamPolicyFor(AwsFlow::kPush))) {
    EXPECT_FALSE(action.starts_with("s3:")) << action;
  }
}

TEST(AwsPermissionsTest, EveryActionOfTheTableIsListedOnce) {
  std::set<std::string> seen;
  for (const AwsPermission& p : AwsPermissions()) {
    EXPECT_TRUE(seen.insert(std::string(p.action)).second) << p.action;
    EXPECT_TRUE(p.deploy) << p.action << ": what push needs, a deploy without --ami needs too";
  }
}

}  // namespace
}  // namespace i2kit
