// deploy, diff, status and delete, end to end against the local AWS stand-in: every request is
// signed and checked against botocore's models there, and answered in AWS's wire format.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <algorithm>
#include <sstream>

#include "aws-client/cloudwatch_logs_api.h"
#include "aws-deploy/httplib_transport.h"
#include "host-cli/aws_verbs_test.h"
#include "host-cli/host_cli_test_util.h"

namespace i2kit {
namespace {

bool Contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// Whether one line of `text` holds each of `parts`, in that order (columns are padded).
bool HasLine(const std::string& text, std::initializer_list<std::string> parts) {
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    size_t at = 0;
    bool all = true;
    for (const std::string& part : parts) {
      at = line.find(part, at);
      if (at == std::string::npos) {
        all = false;
        break;
      }
      at += part.size();
    }
    if (all) return true;
  }
  return false;
}

class StackVerbsTest : public AwsVerbsTest {
 protected:
  CliRun DeployHello(const std::string& ami, std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {"deploy", Example("hello.yml"), "--ami", ami};
    args.insert(args.end(), extra.begin(), extra.end());
    return Aws(args);
  }

  // Puts `lines` into the stand-in's log group and stream, as an EC2 reporter does, at
  // `age` before now.
  void PutLogLines(const std::string& group, const std::string& stream,
                   const std::vector<std::string>& lines,
                   std::chrono::seconds age = std::chrono::seconds(0)) {
    HttplibTransport transport;
    aws::RetryPolicy policy;
    aws::ClientContext context = stand_in_.Context(transport, policy);
    aws::CloudWatchLogsClient logs(context);
    ASSERT_TRUE(logs.CreateLogGroup(group).ok());
    ASSERT_TRUE(logs.CreateLogStream(group, stream).ok());
    int64_t ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                     (aws::SystemNow() - age).time_since_epoch())
                     .count();
    std::vector<aws::LogEvent> events;
    for (const std::string& line : lines) events.push_back({ms, line});
    Status put = logs.PutLogEvents(group, stream, events);
    ASSERT_TRUE(put.ok()) << put.message();
  }
};

TEST_F(StackVerbsTest, DeployCreatesTheStackThroughAChangeSetAndPrintsItsEndpoints) {
  CliRun run = DeployHello("ami-11111111", kAccount);
  ASSERT_EQ(run.code, 0) << run.err;
  EXPECT_TRUE(Contains(run.out, "stack hello CREATE_COMPLETE in us-east-1")) << run.out;
  EXPECT_TRUE(Contains(run.out, "HelloEndpoint = ")) << run.out;
  EXPECT_TRUE(Contains(run.err, "creating stack hello: 9 changes")) << run.err;
  EXPECT_TRUE(HasLine(run.err, {"Add", "HelloGroup", "AWS::AutoScaling::AutoScalingGroup"}))
      << run.err;
  EXPECT_TRUE(
      HasLine(run.err, {"CREATE_COMPLETE", "HelloGroup", "AWS::AutoScaling::AutoScalingGroup"}))
      << run.err;

  std::vector<nlohmann::json> created = Requests("CreateChangeSet");
  ASSERT_EQ(created.size(), 1u);
  const nlohmann::json& p = created[0]["params"];
  EXPECT_EQ(p["ChangeSetType"], "CREATE");
  EXPECT_EQ(p["Capabilities"], nlohmann::json::array({"CAPABILITY_IAM"}));
  EXPECT_EQ(Requests("ExecuteChangeSet").size(), 1u);
}

TEST_F(StackVerbsTest, ASecondDeployOfTheSameManifestChangesNothing) {
  ASSERT_EQ(DeployHello("ami-11111111", kAccount).code, 0);
  CliRun again = DeployHello("ami-11111111");
  ASSERT_EQ(again.code, 0) << again.err;
  EXPECT_TRUE(Contains(again.err, "stack hello is up to date: no changes")) << again.err;
  EXPECT_EQ(Requests("ExecuteChangeSet").size(), 1u);
  EXPECT_EQ(Requests("DeleteChangeSet").size(), 1u);  // the empty change set is not left behind
}

TEST_F(StackVerbsTest, AnUpdateKeepsTheAccountParametersAndShowsWhatChanges) {
  ASSERT_EQ(DeployHello("ami-11111111", kAccount).code, 0);
  CliRun update = DeployHello("ami-22222222");
  ASSERT_EQ(update.code, 0) << update.err;
  EXPECT_TRUE(Contains(update.err, "updating stack hello")) << update.err;
  EXPECT_TRUE(HasLine(update.err, {"Modify", "HelloLaunchTemplate", "updated in place"}))
      << update.err;
  EXPECT_TRUE(Contains(update.out, "stack hello UPDATE_COMPLETE")) << update.out;
  std::vector<nlohmann::json> created = Requests("CreateChangeSet");
  ASSERT_EQ(created.size(), 2u);
  EXPECT_EQ(created[1]["params"]["ChangeSetType"], "UPDATE");
  bool kept_vpc = false;
  for (const nlohmann::json& parameter : created[1]["params"]["Parameters"]) {
    if (parameter["ParameterKey"] == "VpcId") kept_vpc = parameter.value("UsePreviousValue", false);
  }
  EXPECT_TRUE(kept_vpc) << created[1]["params"].dump();
}

TEST_F(StackVerbsTest, DiffShowsTheChangesAndLeavesTheStackAsItWas) {
  ASSERT_EQ(DeployHello("ami-11111111", kAccount).code, 0);
  CliRun diff = Aws({"diff", Example("hello.yml"), "--ami", "ami-33333333"});
  ASSERT_EQ(diff.code, 0) << diff.err;
  EXPECT_TRUE(Contains(diff.out, "stack hello: ")) << diff.out;
  EXPECT_TRUE(HasLine(diff.out, {"Modify", "HelloLaunchTemplate"})) << diff.out;
  EXPECT_TRUE(Requests("ExecuteChangeSet").size() == 1u);
  EXPECT_EQ(Requests("DeleteChangeSet").size(), 1u);
  CliRun status = Aws({"status", "hello"});
  EXPECT_TRUE(Contains(status.out, "CREATE_COMPLETE")) << status.out;
}

TEST_F(StackVerbsTest, DiffOfANewStackLeavesNoStackBehind) {
  std::vector<std::string> args = {"diff", Example("hello.yml"), "--ami", "ami-11111111"};
  args.insert(args.end(), kAccount.begin(), kAccount.end());
  CliRun diff = Aws(args);
  ASSERT_EQ(diff.code, 0) << diff.err;
  EXPECT_TRUE(Contains(diff.out, "new stack hello: 9 changes")) << diff.out;
  CliRun status = Aws({"status", "hello"});
  EXPECT_EQ(status.code, 1);
  EXPECT_TRUE(Contains(status.err, "no stack hello in us-east-1")) << status.err;
}

TEST_F(StackVerbsTest, StatusShowsTheGroupsInstancesAndTheirHealth) {
  ASSERT_EQ(DeployHello("ami-11111111", kAccount).code, 0);
  CliRun status = Aws({"status", "hello"});
  ASSERT_EQ(status.code, 0) << status.err;
  EXPECT_TRUE(Contains(status.out, "stack hello  CREATE_COMPLETE  (us-east-1)")) << status.out;
  EXPECT_TRUE(Contains(status.out, "HelloEndpoint = ")) << status.out;
  EXPECT_TRUE(HasLine(status.out, {"group HelloGroup (", "1/1 in service and healthy"}))
      << status.out;
  EXPECT_TRUE(Contains(status.out, "InService  Healthy")) << status.out;
}

TEST_F(StackVerbsTest, DeleteWaitsUntilTheStackIsGone) {
  ASSERT_EQ(DeployHello("ami-11111111", kAccount).code, 0);
  CliRun deleted = Aws({"delete", "hello"});
  ASSERT_EQ(deleted.code, 0) << deleted.err;
  EXPECT_TRUE(HasLine(deleted.err, {"DELETE_COMPLETE", "HelloGroup"})) << deleted.err;
  EXPECT_TRUE(Contains(deleted.err, "stack hello deleted")) << deleted.err;
  EXPECT_EQ(Aws({"status", "hello"}).code, 1);
  CliRun again = Aws({"delete", "hello"});
  EXPECT_EQ(again.code, 0);
  EXPECT_TRUE(Contains(again.err, "does not exist: nothing to delete")) << again.err;
}

TEST_F(StackVerbsTest, AFailedCreateIsRolledBackReportedAndTheNextDeployStartsAfresh) {
  const std::string reason = "Received 0 SUCCESS signal(s) out of 1.";
  ASSERT_TRUE(
      stand_in_.AddFault({{"fail_resource", {{"logical_id", "HelloGroup"}, {"reason", reason}}}}));
  CliRun failed = DeployHello("ami-11111111", kAccount);
  EXPECT_EQ(failed.code, 1);
  EXPECT_TRUE(Contains(failed.err,
                       "HelloGroup (AWS::AutoScaling::AutoScalingGroup) CREATE_FAILED: " + reason))
      << failed.err;
  EXPECT_TRUE(Contains(failed.err, "stack hello ended ROLLBACK_COMPLETE")) << failed.err;
  // No instance logged a reason (there is no log group): nothing more is said.
  EXPECT_FALSE(Contains(failed.err, "(hello): ")) << failed.err;
  EXPECT_FALSE(Contains(failed.err, "is not known")) << failed.err;

  CliRun retried = DeployHello("ami-11111111", kAccount);
  ASSERT_EQ(retried.code, 0) << retried.err;
  EXPECT_TRUE(Contains(retried.err, "deleting it, then creating it anew")) << retried.err;
  EXPECT_TRUE(Contains(retried.out, "CREATE_COMPLETE")) << retried.out;
}

TEST_F(StackVerbsTest, AFailedGroupShowsWhyItsInstancesDidNotStart) {
  // What a reporter logs before it signals FAILURE, one it logged before this deploy, and a
  // container that merely prints the phrase.
  PutLogLines("/i2kit/hello/hello", "i-0aaa/i2kit-ec2-reporter",
              {"startup FAILURE: an old failure"}, std::chrono::hours(2));
  PutLogLines("/i2kit/hello/hello", "i-0bbb/i2kit-ec2-reporter",
              {"startup FAILURE: not ready: web (backoff, CrashLoopBackOff, exit 1)"});
  PutLogLines("/i2kit/hello/hello", "i-0bbb/web", {"echo startup FAILURE: from a container"});
  ASSERT_TRUE(stand_in_.AddFault(
      {{"fail_resource",
        {{"logical_id", "HelloGroup"}, {"reason", "Received 1 FAILURE signal(s) out of 1."}}}}));
  CliRun failed = DeployHello("ami-11111111", kAccount);
  EXPECT_EQ(failed.code, 1);
  EXPECT_TRUE(Contains(
      failed.err, "instance i-0bbb (hello): not ready: web (backoff, CrashLoopBackOff, exit 1)"))
      << failed.err;
  EXPECT_FALSE(Contains(failed.err, "an old failure")) << failed.err;
  EXPECT_FALSE(Contains(failed.err, "from a container")) << failed.err;
  ASSERT_EQ(Requests("FilterLogEvents").size(), 1u);
}

TEST_F(StackVerbsTest, AReasonThatCannotBeReadIsSaidAndTheDeployStillFailsClearly) {
  PutLogLines("/i2kit/hello/hello", "i-0bbb/i2kit-ec2-reporter", {"startup FAILURE: x"});
  ASSERT_TRUE(stand_in_.AddFault(
      {{"fail_resource", {{"logical_id", "HelloGroup"}, {"reason", "Received 1 FAILURE"}}}}));
  ASSERT_TRUE(
      stand_in_.AddFault({{"server_error", {{"count", 10}, {"action", "FilterLogEvents"}}}}));
  CliRun failed = DeployHello("ami-11111111", kAccount);
  EXPECT_EQ(failed.code, 1);
  EXPECT_TRUE(
      Contains(failed.err, "why the instances did not start is not known: logs FilterLogEvents"))
      << failed.err;
  EXPECT_TRUE(Contains(failed.err, "stack hello ended ROLLBACK_COMPLETE")) << failed.err;
}

TEST_F(StackVerbsTest, AFailedUpdateRollsBackToThePreviousVersion) {
  ASSERT_EQ(DeployHello("ami-11111111", kAccount).code, 0);
  ASSERT_TRUE(stand_in_.AddFault(
      {{"fail_resource", {{"logical_id", "HelloLaunchTemplate"}, {"reason", "AMI not found"}}}}));
  CliRun failed = DeployHello("ami-22222222");
  EXPECT_EQ(failed.code, 1);
  EXPECT_TRUE(Contains(
      failed.err, "HelloLaunchTemplate (AWS::EC2::LaunchTemplate) UPDATE_FAILED: AMI not found"))
      << failed.err;
  EXPECT_TRUE(
      Contains(failed.err, "UPDATE_ROLLBACK_COMPLETE: the update failed and was rolled back"))
      << failed.err;
  // Deploying the previous version again changes nothing: the rollback restored it.
  CliRun previous = DeployHello("ami-11111111");
  ASSERT_EQ(previous.code, 0) << previous.err;
  EXPECT_TRUE(Contains(previous.err, "up to date: no changes")) << previous.err;
}

TEST_F(StackVerbsTest, ThrottledRequestsAreRetriedAndTheDeploySucceeds) {
  ASSERT_TRUE(
      stand_in_.AddFault({{"throttle", {{"count", 1}, {"action", "DescribeStackEvents"}}}}));
  CliRun run = DeployHello("ami-11111111", kAccount);
  ASSERT_EQ(run.code, 0) << run.err;
  EXPECT_TRUE(Contains(run.err, "cloudformation DescribeStackEvents: Throttling; retrying in"))
      << run.err;
}

TEST_F(StackVerbsTest, DeployDiffStatusAndDeletePassWithThePolicyPolicyDeployPrints) {
  CliRun printed = RunCli({"policy", "deploy"});
  ASSERT_EQ(printed.code, 0) << printed.err;
  ASSERT_TRUE(stand_in_.SetMode("policy", nlohmann::json::parse(printed.out)));
  CliRun created = DeployHello("ami-11111111", kAccount);
  ASSERT_EQ(created.code, 0) << created.err;
  ASSERT_EQ(Aws({"diff", Example("hello.yml"), "--ami", "ami-22222222"}).code, 0);
  CliRun updated = DeployHello("ami-22222222");
  ASSERT_EQ(updated.code, 0) << updated.err;
  CliRun status = Aws({"status", "hello"});
  ASSERT_EQ(status.code, 0) << status.err;
  CliRun deleted = Aws({"delete", "hello"});
  ASSERT_EQ(deleted.code, 0) << deleted.err;
}

TEST_F(StackVerbsTest, APolicyWithoutWhatCloudFormationNeedsFailsTheResourceAsAwsSaysIt) {
  nlohmann::json policy = nlohmann::json::parse(RunCli({"policy", "deploy"}).out);
  nlohmann::json& actions = policy["Statement"][0]["Action"];
  actions.erase(std::find(actions.begin(), actions.end(), "ec2:CreateLaunchTemplate"));
  ASSERT_TRUE(stand_in_.SetMode("policy", policy));
  CliRun run = DeployHello("ami-11111111", kAccount);
  EXPECT_EQ(run.code, 1);
  EXPECT_TRUE(Contains(run.err, "is not authorized to perform: ec2:CreateLaunchTemplate"))
      << run.err;
}

TEST_F(StackVerbsTest, ADeployWithAClockTenMinutesAheadCorrectsItFromAwsDate) {
  ASSERT_TRUE(stand_in_.SetMode("clock", {{"skew_seconds", -600}}));
  CliRun run = DeployHello("ami-11111111", kAccount);
  ASSERT_EQ(run.code, 0) << run.err;
  EXPECT_TRUE(Contains(run.err, "SignatureDoesNotMatch: this clock is 6")) << run.err;
  EXPECT_TRUE(Contains(run.err, "ahead of AWS's; signing again with AWS's time")) << run.err;
}

TEST_F(StackVerbsTest, AWrongSecretIsRefusedWithAwsError) {
  ::setenv("AWS_SECRET_ACCESS_KEY", "not-the-secret", 1);
  CliRun run = DeployHello("ami-11111111", kAccount);
  EXPECT_EQ(run.code, 1);
  EXPECT_TRUE(Contains(run.err, "SignatureDoesNotMatch")) << run.err;
}

TEST_F(StackVerbsTest, ANewStackWithoutItsAccountParametersIsRefusedBeforeAnyChange) {
  CliRun run = DeployHello("ami-11111111");
  EXPECT_EQ(run.code, 1);
  EXPECT_TRUE(Contains(run.err, "--parameter VpcId=vpc-…")) << run.err;
  EXPECT_TRUE(Requests("CreateChangeSet").empty());
}

}  // namespace
}  // namespace i2kit
