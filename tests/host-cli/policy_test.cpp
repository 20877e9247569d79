// `i2kit-host policy`: prints the policy of aws_permissions' table for one flow.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "aws-deploy/aws_permissions.h"
#include "host-cli/host_cli_test_util.h"

namespace i2kit {
namespace {

TEST(PolicyVerbTest, PrintsThePolicyOfAFlowAndRefusesAnother) {
  CliRun run = RunCli({"policy", "deploy"});
  ASSERT_EQ(run.code, 0) << run.err;
  EXPECT_EQ(nlohmann::ordered_json::parse(run.out), IamPolicyFor(AwsFlow::kDeploy));
  EXPECT_EQ(RunCli({"policy", "run"}).code, 2);
}

}  // namespace
}  // namespace i2kit
