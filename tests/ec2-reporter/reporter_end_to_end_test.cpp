// The real i2kit-ec2-reporter binary against the local AWS stand-in, a fake IMDSv2 and a fake
// agent endpoint, all plain HTTP on loopback: what it signals, marks, publishes and ships, and
// what it does when AWS throttles or no metadata service answers.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <chrono>
#include <cstdio>
#include <mutex>
#include <thread>

#include "aws-client/autoscaling_api.h"
#include "aws-client/cloudformation_api.h"
#include "aws-client/ec2_api.h"
#include "aws-client/openssl_transport.h"
#include "aws-client/retry_policy.h"
#include "common/ec2_logs.h"
#include "ec2-reporter/fake_http_server.h"
#include "ec2-reporter/fake_sntp_server.h"
#include "host-cli/aws_stand_in.h"

namespace i2kit {
namespace {

using testing::FakeHttpServer;
using testing::FakeRequest;
using testing::FakeResponse;

constexpr char kSessionToken[] = "stand-in-session-token";

// One Auto Scaling group of one instance, as the stand-in needs to accept signals and health,
// and the deployment's Secrets as the i2kit template keeps them (from a NoEcho parameter).
constexpr char kSecretsValue[] = R"({"secrets":[{"name":"db","data":{"password":"aHVudGVy"}}]})";
constexpr char kTemplate[] = R"({"Parameters":{"WebSecretsValue":{"Type":"String","NoEcho":true}},
  "Resources":{
  "WebSecrets":{"Type":"AWS::SecretsManager::Secret","Properties":{
    "Name":{"Fn::Sub":"${AWS::StackName}/web"},"SecretString":{"Ref":"WebSecretsValue"}}},
  "WebLaunchTemplate":{"Type":"AWS::EC2::LaunchTemplate","Properties":{"LaunchTemplateData":{
    "ImageId":"ami-0123456789abcdef0","InstanceType":"t3.micro"}}},
  "WebGroup":{"Type":"AWS::AutoScaling::AutoScalingGroup","Properties":{
    "AutoScalingGroupName":"shop-web","MinSize":"1","MaxSize":"1","DesiredCapacity":"1",
    "VPCZoneIdentifier":["subnet-1111"],
    "LaunchTemplate":{"LaunchTemplateId":{"Ref":"WebLaunchTemplate"},
      "Version":{"Fn::GetAtt":["WebLaunchTemplate","LatestVersionNumber"]}}}}}})";

std::string AgentStatus(bool ready, int restarts) {
  return std::string(R"({"ready":)") + (ready ? "true" : "false") +
         R"(,"shuttingDown":false,"containers":[{"name":"web","state":")" +
         (ready ? "running" : "backoff") + R"(","ready":)" + (ready ? "true" : "false") +
         R"(,"restarts":)" + std::to_string(restarts) +
         R"(,"lastExitCode":1,"reason":""}],"memory":{"usedBytes":52428800}})";
}

struct ReporterRun {
  int exit_code = -1;
  std::string output;
};

// `redirect`: which of its outputs are read (by default both).
ReporterRun RunReporter(const std::string& arguments, const std::string& redirect = "2>&1") {
  std::string command = std::string(I2KIT_EC2_REPORTER) + " " + arguments + " " + redirect;
  ReporterRun run;
  FILE* pipe = ::popen(command.c_str(), "r");
  if (!pipe) return run;
  char buffer[4096];
  size_t n;
  while ((n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0) run.output.append(buffer, n);
  int status = ::pclose(pipe);
  run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return run;
}

class ReporterEndToEndTest : public ::testing::Test {
 protected:
  ReporterEndToEndTest()
      : stand_in_(kSessionToken),
        metadata_([this](const FakeRequest& r) { return Metadata(r); }),
        agent_([this](const FakeRequest& r) { return Agent(r); }) {}

  void SetUp() override {
    ASSERT_FALSE(stand_in_.url().empty()) << "the stand-in did not start";
    // A VM up for 5 s, as when the agent starts the reporter at boot: restarts the agent
    // reports at the first look are recent.
    std::FILE* uptime = std::fopen(uptime_file_.c_str(), "w");
    ASSERT_NE(uptime, nullptr);
    std::fputs("5.00 4.00\n", uptime);
    std::fclose(uptime);
    context_ = stand_in_.Context(transport_, policy_);
    aws::QueryParameters create;
    create.Add("StackName", "shop");
    create.Add("TemplateBody", kTemplate);
    create.Add("Parameters.member.1.ParameterKey", "WebSecretsValue");
    create.Add("Parameters.member.1.ParameterValue", kSecretsValue);
    aws::QueryClient cloudformation(aws::kCloudFormationApi, context_);
    ASSERT_TRUE(cloudformation.Call("CreateStack", create).ok());
    aws::CloudFormationClient stacks(context_);
    for (int step = 0; step < 20; ++step) {
      Result<std::optional<aws::Stack>> stack = stacks.DescribeStack("shop");
      ASSERT_TRUE(stack.ok() && stack->has_value());
      if ((*stack)->status == "CREATE_COMPLETE") break;
    }
    Result<std::vector<aws::AutoScalingGroup>> groups = GroupNow();
    ASSERT_TRUE(groups.ok() && groups->size() == 1 && (*groups)[0].instances.size() == 1);
    instance_id_ = (*groups)[0].instances[0].id;
  }

  Result<std::vector<aws::AutoScalingGroup>> GroupNow() {
    aws::AutoScalingClient autoscaling(context_);
    return autoscaling.DescribeGroups({"shop-web"});
  }

  FakeResponse Metadata(const FakeRequest& request) {
    if (request.method == "PUT" && request.path == "/latest/api/token") {
      return {200, "imds-token"};
    }
    if (request.head.find("X-aws-ec2-metadata-token: imds-token") == std::string::npos) {
      return {401, ""};
    }
    if (request.path == "/latest/meta-data/instance-id") return {200, instance_id_};
    if (request.path == "/latest/meta-data/placement/region") return {200, "us-east-1"};
    if (request.path == "/latest/user-data") {
      std::lock_guard<std::mutex> lock(mutex_);
      ++user_data_reads_;
      return {200, user_data_};
    }
    if (request.path == "/latest/meta-data/iam/security-credentials/") return {200, "shop-web"};
    if (request.path == "/latest/meta-data/iam/security-credentials/shop-web") {
      return {200, std::string(R"({"Code":"Success","AccessKeyId":")") + AwsStandIn::kAccessKeyId +
                       R"(","SecretAccessKey":")" + AwsStandIn::kSecretAccessKey +
                       R"(","Token":")" + kSessionToken +
                       R"(","Expiration":"2099-01-01T00:00:00Z"})"};
    }
    return {404, ""};
  }

  FakeResponse Agent(const FakeRequest& request) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (request.path == "/status") return {200, agent_status_};
    if (request.path.rfind("/logs?since=", 0) == 0) {
      // Three lines, numbered 0 to 2 (the last an event of the agent's own, a warning);
      // whoever asks from 3 on gets none.
      bool from_start = request.path == "/logs?since=0";
      return {200, from_start
                       ? R"({"first":0,"next":3,"lines":[)"
                         R"({"seq":0,"source":"web","text":"listening on :80","level":"info"},)"
                         R"({"seq":1,"source":"web/stderr","text":"GET / 200","level":"info"},)"
                         R"({"seq":2,"source":"i2kit-agent","text":"web exited 1; restarting)"
                         R"( in 10 s","level":"warn"}]})"
                       : R"({"first":0,"next":3,"lines":[]})"};
    }
    return {404, ""};
  }

  void SetAgentStatus(std::string status) {
    std::lock_guard<std::mutex> lock(mutex_);
    agent_status_ = std::move(status);
  }

  std::string Arguments(int steps) const {
    return "--metadata-url " + metadata_.url() + " --agent-url " + agent_.url() +
           " --endpoint-url " + stand_in_.url() + " --poll-seconds 1 --steps " +
           std::to_string(steps) + " --uptime-file " + uptime_file_;
  }

  std::string uptime_file_ = ::testing::TempDir() + "i2kit-reporter-uptime";
  AwsStandIn stand_in_;
  aws::OpenSslTransport transport_;
  aws::RetryPolicy policy_;
  aws::ClientContext context_;
  std::string instance_id_;
  std::mutex mutex_;
  std::string agent_status_;
  std::string user_data_ = R"({"stack":"shop","deployment":"web","resource":"WebGroup",)"
                           R"("region":"us-east-1","metricsNamespace":"i2kit/shop",)"
                           R"("signalTimeoutSeconds":600})";
  int user_data_reads_ = 0;
  FakeHttpServer metadata_;
  FakeHttpServer agent_;
};

TEST_F(ReporterEndToEndTest, SignalsSuccessPublishesMetricsAndShipsLogsForAReadyPod) {
  SetAgentStatus(AgentStatus(true, 0));
  ReporterRun run = RunReporter(Arguments(2));
  EXPECT_EQ(run.exit_code, 0) << run.output;
  EXPECT_NE(run.output.find("signalled SUCCESS stack=shop resource=WebGroup"), std::string::npos)
      << run.output;
  nlohmann::json signals = stand_in_.Stacks()[0]["signals"];
  ASSERT_EQ(signals.size(), 1u) << signals.dump();
  EXPECT_EQ(signals[0]["status"], "SUCCESS");
  EXPECT_EQ(signals[0]["unique_id"], instance_id_);
  EXPECT_EQ(signals[0]["logical_id"], "WebGroup");
  nlohmann::json metrics = stand_in_.Metrics();
  ASSERT_EQ(metrics.size(), 3u) << metrics.dump();  // one minute's worth: the first step
  EXPECT_EQ(metrics[0]["namespace"], "i2kit/shop");
  EXPECT_EQ(metrics[0]["name"], "MemoryUsed");
  EXPECT_EQ(metrics[0]["value"], 52428800.0);
  EXPECT_EQ(metrics[0]["dimensions"]["InstanceId"], instance_id_);
  EXPECT_EQ(metrics[0]["dimensions"]["Deployment"], "web");
  EXPECT_EQ(metrics[2]["name"], "Ready");
  EXPECT_EQ(metrics[2]["value"], 1.0);
  nlohmann::json groups = stand_in_.Logs();
  nlohmann::json stream = groups["/i2kit/shop/web"][instance_id_ + "/web"];
  ASSERT_EQ(stream.size(), 2u) << groups.dump();
  // JSON lines for Logs Insights: level, time, container, message.
  nlohmann::json first = nlohmann::json::parse(stream[0]["message"].get<std::string>());
  EXPECT_EQ(first["level"], "info");
  EXPECT_EQ(first["container"], "web");
  EXPECT_EQ(first["message"], "listening on :80");
  EXPECT_EQ(first["time"].get<std::string>().size(), 24u) << first["time"];
  EXPECT_EQ(ec2_logs::TextOfLogMessage(stream[1]["message"]), "GET / 200");
  // The agent's own events, in their stream, at the level the agent gave them.
  nlohmann::json agent = groups["/i2kit/shop/web"][instance_id_ + "/i2kit-agent"];
  ASSERT_EQ(agent.size(), 1u) << groups.dump();
  nlohmann::json event = nlohmann::json::parse(agent[0]["message"].get<std::string>());
  EXPECT_EQ(event["level"], "warn");
  EXPECT_EQ(event["container"], "i2kit-agent");
  EXPECT_EQ(event["message"], "web exited 1; restarting in 10 s");
}

TEST_F(ReporterEndToEndTest, ItsConsoleShowsOnlyLinesAtOrAboveItsLogLevel) {
  int closed_port;
  {
    FakeHttpServer gone([](const FakeRequest&) { return FakeResponse{}; });
    closed_port = std::stoi(gone.url().substr(17));
  }
  std::string no_metadata = "--metadata-url http://127.0.0.1:" + std::to_string(closed_port) +
                            "/ --agent-url " + agent_.url() + " --discovery-attempts 2";
  // warn: the failed attempts (warnings) and the end (an error).
  ReporterRun warn = RunReporter(no_metadata + " --log-level warn");
  EXPECT_EQ(warn.exit_code, 0) << warn.output;
  EXPECT_NE(warn.output.find("i2kit-ec2-reporter: instance metadata attempt 1"), std::string::npos)
      << warn.output;
  EXPECT_NE(warn.output.find("i2kit-ec2-reporter: not on EC2"), std::string::npos) << warn.output;
  // error: only the end.
  ReporterRun error = RunReporter(no_metadata + " --log-level error");
  EXPECT_EQ(error.exit_code, 0) << error.output;
  EXPECT_EQ(error.output.find("instance metadata attempt"), std::string::npos) << error.output;
  EXPECT_NE(error.output.find("not on EC2"), std::string::npos) << error.output;
  // off: nothing at all.
  EXPECT_EQ(RunReporter(no_metadata + " --log-level off").output, "");
  // A ready Pod at warn: its progress (info) is not shown.
  SetAgentStatus(AgentStatus(true, 0));
  ReporterRun quiet = RunReporter(Arguments(1) + " --log-level warn");
  EXPECT_EQ(quiet.exit_code, 0) << quiet.output;
  EXPECT_EQ(quiet.output.find("signalled SUCCESS"), std::string::npos) << quiet.output;
  EXPECT_EQ(stand_in_.Stacks()[0]["signals"].size(), 1u);  // it did signal
  EXPECT_EQ(RunReporter("--log-level loud").exit_code, 2);
}

TEST_F(ReporterEndToEndTest, SignsWithTheTimeServersClockWhenThisOneIsTenMinutesOff) {
  SetAgentStatus(AgentStatus(true, 0));
  ASSERT_TRUE(stand_in_.SetMode("clock", {{"skew_seconds", 600}}));
  testing::FakeSntpServer time_sync(std::chrono::seconds(600));
  ReporterRun run = RunReporter(Arguments(1) + " --time-server " + time_sync.address());
  EXPECT_EQ(run.exit_code, 0) << run.output;
  EXPECT_NE(run.output.find("clock: " + time_sync.address() + " says this clock is "),
            std::string::npos)
      << run.output;
  EXPECT_EQ(run.output.find("signing again with AWS's time"), std::string::npos) << run.output;
  EXPECT_EQ(stand_in_.Stacks()[0]["signals"].size(), 1u) << run.output;
}

TEST_F(ReporterEndToEndTest, WithoutATimeServerAClockTenMinutesOffIsCorrectedFromAwsDate) {
  SetAgentStatus(AgentStatus(true, 0));
  ASSERT_TRUE(stand_in_.SetMode("clock", {{"skew_seconds", -600}}));
  ReporterRun run = RunReporter(Arguments(1) + " --time-server 127.0.0.1:1");
  EXPECT_EQ(run.exit_code, 0) << run.output;
  EXPECT_NE(run.output.find(": signing with this clock"), std::string::npos) << run.output;
  EXPECT_NE(run.output.find("this clock is 600 s ahead of AWS's; signing again with AWS's time"),
            std::string::npos)
      << run.output;
  EXPECT_EQ(stand_in_.Stacks()[0]["signals"].size(), 1u) << run.output;
}

TEST_F(ReporterEndToEndTest, LogsSurviveAThrottledPutLogEvents) {
  SetAgentStatus(AgentStatus(true, 0));
  ASSERT_TRUE(stand_in_.AddFault({{"throttle", {{"count", 4}, {"action", "PutLogEvents"}}}}));
  ReporterRun run = RunReporter(Arguments(2));
  EXPECT_EQ(run.exit_code, 0) << run.output;
  EXPECT_NE(run.output.find("logs not shipped, keeping them queued"), std::string::npos)
      << run.output;
  // Three attempts in the first step, the fourth throttled in the second, then through.
  EXPECT_EQ(stand_in_.Logs()["/i2kit/shop/web"][instance_id_ + "/web"].size(), 2u) << run.output;
}

TEST_F(ReporterEndToEndTest, RetriesThrottledCallsAndStillSignals) {
  SetAgentStatus(AgentStatus(true, 0));
  ASSERT_TRUE(stand_in_.AddFault({{"throttle", {{"count", 2}, {"action", "SignalResource"}}}}));
  ASSERT_TRUE(stand_in_.AddFault({{"server_error", {{"count", 1}, {"action", "PutMetricData"}}}}));
  ReporterRun run = RunReporter(Arguments(1));
  EXPECT_EQ(run.exit_code, 0) << run.output;
  EXPECT_NE(run.output.find("cloudformation SignalResource: Throttling; retrying in"),
            std::string::npos)
      << run.output;
  EXPECT_NE(run.output.find("monitoring PutMetricData: ServiceUnavailable; retrying in"),
            std::string::npos)
      << run.output;
  EXPECT_EQ(stand_in_.Stacks()[0]["signals"].size(), 1u);
  EXPECT_EQ(stand_in_.Metrics().size(), 3u);
}

TEST_F(ReporterEndToEndTest, MarksACrashLoopingInstanceUnhealthy) {
  SetAgentStatus(AgentStatus(false, 6));  // past the default limit of 5 in 10 minutes
  ReporterRun run = RunReporter(Arguments(1));
  EXPECT_EQ(run.exit_code, 0) << run.output;
  EXPECT_NE(run.output.find("marked Unhealthy: container web restarted 6 times"), std::string::npos)
      << run.output;
  Result<std::vector<aws::AutoScalingGroup>> groups = GroupNow();
  ASSERT_TRUE(groups.ok());
  EXPECT_EQ((*groups)[0].instances[0].health_status, "Unhealthy");
  EXPECT_TRUE(stand_in_.Stacks()[0]["signals"].empty());  // not ready, deadline not reached
}

TEST_F(ReporterEndToEndTest, WithoutAMetadataServiceItDoesNothingAndSaysSo) {
  int closed_port;
  {
    FakeHttpServer gone([](const FakeRequest&) { return FakeResponse{}; });
    closed_port = std::stoi(gone.url().substr(17));
  }
  size_t before = stand_in_.Requests().size();
  ReporterRun run = RunReporter("--metadata-url http://127.0.0.1:" + std::to_string(closed_port) +
                                "/ --agent-url " + agent_.url() + " --endpoint-url " +
                                stand_in_.url() + " --discovery-attempts 2");
  EXPECT_EQ(run.exit_code, 0) << run.output;
  EXPECT_NE(run.output.find("instance metadata attempt 2"), std::string::npos) << run.output;
  EXPECT_NE(run.output.find("not on EC2, or not an i2kit instance"), std::string::npos)
      << run.output;
  EXPECT_NE(run.output.find("reporting nothing"), std::string::npos);
  EXPECT_EQ(stand_in_.Requests().size(), before);
}

TEST_F(ReporterEndToEndTest, UserDataWithABadEndpointUrlEndsItCleanlyOnce) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    user_data_ = R"({"stack":"shop","deployment":"web","resource":"WebGroup",)"
                 R"("metricsNamespace":"i2kit/shop","endpointUrl":"stand-in:4566"})";
  }
  size_t before = stand_in_.Requests().size();
  // No --endpoint-url: the user data's is the one used.
  ReporterRun run = RunReporter("--metadata-url " + metadata_.url() + " --agent-url " +
                                agent_.url() + " --discovery-attempts 3");
  // 0: the agent's supervisor leaves it alone instead of restarting it to read the same.
  EXPECT_EQ(run.exit_code, 0) << run.output;
  EXPECT_NE(run.output.find("i2kit-ec2-reporter: user data endpointUrl is not a usable URL ("),
            std::string::npos)
      << run.output;
  EXPECT_NE(run.output.find("): reporting nothing\n"), std::string::npos) << run.output;
  EXPECT_EQ(run.output.find("instance metadata attempt"), std::string::npos) << run.output;
  std::lock_guard<std::mutex> lock(mutex_);
  EXPECT_EQ(user_data_reads_, 1);  // permanent: not asked for again
  EXPECT_EQ(stand_in_.Requests().size(), before);
}

TEST_F(ReporterEndToEndTest, ASlowMetadataServiceIsGivenUpOnInBoundedTime) {
  FakeHttpServer slow([](const FakeRequest&) {
    std::this_thread::sleep_for(std::chrono::milliseconds(2500));  // past the 2 s timeout
    return FakeResponse{200, "late"};
  });
  auto start = std::chrono::steady_clock::now();
  ReporterRun run = RunReporter("--metadata-url " + slow.url() + " --agent-url " + agent_.url() +
                                " --discovery-attempts 1");
  auto took = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(run.exit_code, 0) << run.output;
  EXPECT_NE(run.output.find("reporting nothing"), std::string::npos) << run.output;
  EXPECT_LT(took, std::chrono::seconds(5));
}

TEST_F(ReporterEndToEndTest, RefusesCountsThatAreNotWholeNumbers) {
  for (std::string flags : {"--discovery-attempts 2x", "--poll-seconds five", "--poll-seconds 0",
                            "--steps -1", "--discovery-attempts 99999999999"}) {
    ReporterRun run = RunReporter(flags + " --metadata-url http://127.0.0.1:1/");
    EXPECT_EQ(run.exit_code, 2) << flags << ": " << run.output;
    EXPECT_NE(run.output.find("usage: i2kit-ec2-reporter"), std::string::npos) << run.output;
  }
}

TEST_F(ReporterEndToEndTest, SecretsModePrintsTheDeploymentsSecretAloneOnStdoutAndDoesNothingElse) {
  ReporterRun run = RunReporter("secrets " + Arguments(1), "2>/dev/null");
  EXPECT_EQ(run.exit_code, 0);
  EXPECT_EQ(run.output, kSecretsValue);
  ReporterRun said = RunReporter("secrets " + Arguments(1), "2>&1 >/dev/null");
  EXPECT_EQ(said.exit_code, 0) << said.output;
  EXPECT_NE(said.output.find("deployment=web"), std::string::npos) << said.output;
  EXPECT_EQ(said.output.find("aHVudGVy"), std::string::npos) << said.output;
  EXPECT_TRUE(stand_in_.Stacks()[0]["signals"].empty());  // it reported nothing
  EXPECT_TRUE(stand_in_.Metrics().empty());
}

TEST_F(ReporterEndToEndTest, SecretsModeFailsSayingWhyWhenTheDeploymentHasNoSecret) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    user_data_ = R"({"stack":"shop","deployment":"api","resource":"WebGroup",)"
                 R"("metricsNamespace":"i2kit/shop"})";
  }
  ReporterRun out = RunReporter("secrets " + Arguments(1), "2>/dev/null");
  EXPECT_EQ(out.exit_code, 1);
  EXPECT_EQ(out.output, "");
  ReporterRun said = RunReporter("secrets " + Arguments(1), "2>&1 >/dev/null");
  EXPECT_EQ(said.exit_code, 1);
  EXPECT_NE(said.output.find("secretsmanager GetSecretValue: ResourceNotFoundException"),
            std::string::npos)
      << said.output;
}

// A stateful deployment's volume for the attach-volumes tests, held by the instance it
// replaces; the user data names it. Returns its id.
std::string HeldVolume(aws::ClientContext& context, const std::string& old_instance) {
  aws::QueryClient ec2(aws::kEc2Api, context);
  aws::QueryParameters create;
  create.Add("AvailabilityZone", "us-east-1a");
  create.Add("Size", "1");
  create.Add("VolumeType", "gp3");
  Result<aws::XmlDocument> made = ec2.Call("CreateVolume", create);
  if (!made.ok()) return "";
  std::string id = made->root().TextOrEmpty("volumeId");
  aws::QueryParameters attach;
  attach.Add("Device", "/dev/sdf");
  attach.Add("InstanceId", old_instance);
  attach.Add("VolumeId", id);
  if (!ec2.Call("AttachVolume", attach).ok()) return "";
  return id;
}

TEST_F(ReporterEndToEndTest, AttachVolumesWaitsForTheOldInstanceToDetachThenAttachesHere) {
  std::string volume = HeldVolume(context_, "i-0old0000000000000");
  ASSERT_FALSE(volume.empty());
  {
    std::lock_guard<std::mutex> lock(mutex_);
    user_data_ = R"({"stack":"shop","deployment":"web","resource":"WebGroup",)"
                 R"("metricsNamespace":"i2kit/shop","signalTimeoutSeconds":600,)"
                 R"("volumes":{"data":")" +
                 volume + R"("}})";
  }
  // The old instance lets go of it a few seconds into the new one's boot (Auto Scaling
  // terminating it); until then the new one must wait, never attach.
  std::thread release([&] {
    std::this_thread::sleep_for(std::chrono::seconds(3));
    aws::QueryClient ec2(aws::kEc2Api, context_);
    aws::QueryParameters detach;
    detach.Add("VolumeId", volume);
    detach.Add("InstanceId", "i-0old0000000000000");
    EXPECT_TRUE(ec2.Call("DetachVolume", detach).ok());
  });
  std::string said_file = ::testing::TempDir() + "i2kit-attach-said";
  auto started = std::chrono::steady_clock::now();
  ReporterRun run = RunReporter("attach-volumes " + Arguments(1), "2>" + said_file);
  auto took = std::chrono::steady_clock::now() - started;
  release.join();
  std::string said;
  if (std::FILE* file = std::fopen(said_file.c_str(), "r")) {
    char buffer[4096];
    size_t n;
    while ((n = std::fread(buffer, 1, sizeof buffer, file)) > 0) said.append(buffer, n);
    std::fclose(file);
  }
  EXPECT_EQ(run.exit_code, 0) << said;
  std::string serial = volume;
  serial.erase(3, 1);  // vol-0abc → vol0abc, the NVMe serial
  EXPECT_EQ(run.output, "data " + serial + "\n");
  EXPECT_GE(took, std::chrono::seconds(3));  // not before the release
  EXPECT_NE(said.find("waiting for release by i-0old0000000000000 (attached)"), std::string::npos)
      << said;
  // Said once, however many looks the wait took.
  EXPECT_EQ(said.find("waiting for release by i-0old0000000000000 (attached)",
                      said.find("(attached)") + 1),
            std::string::npos)
      << said;
  EXPECT_NE(said.find("attaching as /dev/sdf"), std::string::npos) << said;
  // Now it is this instance's, attached; the old instance's AttachVolume would be refused.
  aws::Ec2Client ec2(context_);
  Result<aws::Ec2Volume> now = ec2.DescribeVolume(volume);
  ASSERT_TRUE(now.ok()) << now.status().message();
  ASSERT_EQ(now->attachments.size(), 1u);
  EXPECT_EQ(now->attachments[0].instance_id, instance_id_);
  EXPECT_EQ(now->attachments[0].state, "attached");
  EXPECT_TRUE(stand_in_.Stacks()[0]["signals"].empty());  // the Pod has not started yet
  // A reboot: already attached here is success at once.
  ReporterRun again = RunReporter("attach-volumes " + Arguments(1), "2>/dev/null");
  EXPECT_EQ(again.exit_code, 0);
  EXPECT_EQ(again.output, "data " + serial + "\n");
}

TEST_F(ReporterEndToEndTest, AttachVolumesNeverReleasedFailsTheStartupWithTheReason) {
  std::string volume = HeldVolume(context_, "i-0old0000000000000");
  ASSERT_FALSE(volume.empty());
  {
    std::lock_guard<std::mutex> lock(mutex_);
    // A 4 s timeout: the deadline is half of it, 2 s.
    user_data_ = R"({"stack":"shop","deployment":"web","resource":"WebGroup",)"
                 R"("metricsNamespace":"i2kit/shop","signalTimeoutSeconds":4,)"
                 R"("volumes":{"data":")" +
                 volume + R"("}})";
  }
  ReporterRun run = RunReporter("attach-volumes " + Arguments(1), "2>&1");
  EXPECT_EQ(run.exit_code, 1) << run.output;
  EXPECT_NE(run.output.find("volume data (" + volume +
                            ") not attached by the startup deadline: still waiting for release "
                            "by i-0old0000000000000 (attached)"),
            std::string::npos)
      << run.output;
  nlohmann::json signals = stand_in_.Stacks()[0]["signals"];
  ASSERT_EQ(signals.size(), 1u) << signals.dump();
  EXPECT_EQ(signals[0]["status"], "FAILURE");
  EXPECT_NE(stand_in_.Logs().dump().find("startup FAILURE: volume data"), std::string::npos)
      << stand_in_.Logs().dump();
  aws::Ec2Client ec2(context_);
  Result<aws::Ec2Volume> now = ec2.DescribeVolume(volume);
  ASSERT_TRUE(now.ok());
  EXPECT_EQ(now->attachments[0].instance_id, "i-0old0000000000000");  // never taken
}

}  // namespace
}  // namespace i2kit
