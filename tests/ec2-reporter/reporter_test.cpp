// The reporter's loop with a fake clock and a scripted transport standing for both the agent's
// endpoint and AWS.
#include "ec2-reporter/reporter.h"

#include <gtest/gtest.h>

#include <deque>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>

#include "aws-client/http1_response.h"
#include "common/ec2_logs.h"

namespace i2kit::reporter {
namespace {

using std::chrono::seconds;

// Answers the agent's /status from `status` (no answer when empty) and /logs from `log_lines`
// (numbered from `first_log_line`), and every AWS action with an empty result, or with the
// errors queued for it; records the actions and their bodies.
class ScriptedWorld : public aws::HttpTransport {
 public:
  std::string status;
  std::vector<std::pair<std::string, std::string>> log_lines;  // source, text
  uint64_t first_log_line = 0;
  std::map<std::string, std::deque<int>> failures;  // action → HTTP statuses to answer first
  std::set<std::string> refused;                    // actions answered 400 ValidationError, always
  // The log group is gone: CreateLogStream and PutLogEvents answer ResourceNotFoundException
  // until CreateLogGroup makes it again.
  bool log_group_deleted = false;
  std::vector<std::string> actions;
  std::vector<std::string> bodies;

  aws::HttpExchange Send(const aws::ServiceEndpoint& endpoint,
                         const aws::HttpRequest& request) override {
    if (endpoint.host == "agent.test") {
      if (status.empty()) return {std::nullopt, false, "connection refused"};
      if (request.path.rfind("/logs?since=", 0) == 0) return {Logs(request.path), false, ""};
      return {aws::HttpResponse{200, {}, status}, false, ""};
    }
    std::optional<std::string_view> target = aws::FindHeader(request.headers, "X-Amz-Target");
    std::string action;
    if (target) {
      action = std::string(target->substr(target->find('.') + 1));
    } else {
      size_t start = request.body.find("Action=") + 7;
      action = request.body.substr(start, request.body.find('&', start) - start);
    }
    actions.push_back(action);
    bodies.push_back(request.body);
    if (log_group_deleted && action == "CreateLogGroup") log_group_deleted = false;
    if (log_group_deleted && (action == "CreateLogStream" || action == "PutLogEvents")) {
      return {aws::HttpResponse{400,
                                {},
                                R"({"__type":"ResourceNotFoundException",)"
                                R"("message":"The specified log group does not exist."})"},
              false, ""};
    }
    if (refused.count(action)) {
      return {aws::HttpResponse{400,
                                {},
                                "<ErrorResponse><Error><Code>ValidationError</Code><Message>no "
                                "signal expected</Message></Error></ErrorResponse>"},
              false, ""};
    }
    std::deque<int>& queued = failures[action];
    if (!queued.empty()) {
      int code = queued.front();
      queued.pop_front();
      std::string error = code == 400 ? "Throttling" : "ServiceUnavailable";
      std::string body = target ? R"({"__type":")" + error + R"(","message":"no"})"
                                : "<ErrorResponse><Error><Code>" + error +
                                      "</Code><Message>no</Message></Error></ErrorResponse>";
      return {aws::HttpResponse{code, {}, body}, false, ""};
    }
    return {aws::HttpResponse{200, {}, target ? "{}" : "<" + action + "Response/>"}, false, ""};
  }

  aws::HttpResponse Logs(const std::string& path) const {
    uint64_t since = std::stoull(path.substr(path.find('=') + 1));
    nlohmann::json lines = nlohmann::json::array();
    uint64_t next = std::max(since, first_log_line);
    for (uint64_t n = next; n < first_log_line + log_lines.size(); ++n) {
      const auto& [source, text] = log_lines[n - first_log_line];
      lines.push_back({{"seq", n}, {"source", source}, {"text", text}});
      next = n + 1;
    }
    nlohmann::json body{{"first", first_log_line}, {"next", next}, {"lines", lines}};
    return {200, {}, body.dump()};
  }

  // The body of the first call of `action`; empty when there was none.
  std::string FirstBody(const std::string& action) const {
    auto call = std::find(actions.begin(), actions.end(), action);
    return call == actions.end() ? "" : bodies[static_cast<size_t>(call - actions.begin())];
  }

  int Count(const std::string& action) const {
    return static_cast<int>(std::count(actions.begin(), actions.end(), action));
  }
};

std::string Status(bool ready, int restarts, int64_t memory = 1000) {
  return std::string(R"({"ready":)") + (ready ? "true" : "false") +
         R"(,"shuttingDown":false,"containers":[{"name":"web","state":")" +
         (ready ? "running" : "backoff") + R"(","ready":)" + (ready ? "true" : "false") +
         R"(,"restarts":)" + std::to_string(restarts) + R"(,"lastExitCode":null,"reason":")" +
         (ready ? "" : "CrashLoopBackOff") + R"("}],"memory":{"usedBytes":)" +
         std::to_string(memory) + "}}";
}

class ReporterTest : public ::testing::Test {
 protected:
  ReporterTest()
      : policy_(aws::RetryOptions{}, [] { return 0.5; }),
        agent_(world_, aws::ServiceEndpoint{false, "agent.test", 8089, "/"}) {
    context_.region = "eu-west-1";
    context_.endpoint_override = aws::ServiceEndpoint{false, "aws.test", 80, "/"};
    context_.transport = &world_;
    context_.retry_policy = &policy_;
    context_.now = [] {
      return std::chrono::sys_seconds{std::chrono::sys_days{std::chrono::year{2026} / 11 / 23}};
    };
    context_.sleep = [this](std::chrono::milliseconds d) { slept_ += d; };
    identity_ = {"i-0123456789abcdef0", "eu-west-1",  "shop",      "WebGroup", "web",
                 "i2kit/shop",          seconds(600), std::nullopt};
    expiry_ = context_.now() + std::chrono::hours(6);
  }

  Reporter Make(ReporterOptions options = {}) {
    ReporterLinks links{&agent_,
                        &cloudformation_,
                        &autoscaling_,
                        &cloudwatch_,
                        &logs_,
                        &context_,
                        [this]() -> Result<aws::Credentials> {
                          ++credential_fetches_;
                          return aws::Credentials{"AKID", "secret", "token", expiry_};
                        },
                        [this](LogLevel level, const std::string& line) {
                          log_.push_back(line);
                          levels_.push_back(level);
                        }};
    return Reporter(identity_, options, links, start_);
  }

  bool Logged(const std::string& part) const { return LevelOf(part).has_value(); }
  // The level of the first line logged with `part`; nullopt when none was.
  std::optional<LogLevel> LevelOf(const std::string& part) const {
    for (size_t i = 0; i < log_.size(); ++i) {
      if (log_[i].find(part) != std::string::npos) return levels_[i];
    }
    return std::nullopt;
  }

  ScriptedWorld world_;
  aws::RetryPolicy policy_;
  aws::ClientContext context_;
  aws::CloudFormationClient cloudformation_{context_};
  aws::AutoScalingClient autoscaling_{context_};
  aws::CloudWatchClient cloudwatch_{context_};
  aws::CloudWatchLogsClient logs_{context_};
  AgentClient agent_;
  InstanceIdentity identity_;
  Clock::time_point start_;
  std::optional<std::chrono::sys_seconds> expiry_;
  int credential_fetches_ = 0;
  std::chrono::milliseconds slept_{0};
  std::vector<std::string> log_;
  std::vector<LogLevel> levels_;  // of each line of log_
};

TEST_F(ReporterTest, SignalsSuccessOnceWhenThePodBecomesReady) {
  Reporter reporter = Make();
  world_.status = Status(false, 0);
  reporter.Step(start_ + seconds(5));
  EXPECT_EQ(world_.Count("SignalResource"), 0);
  world_.status = Status(true, 0);
  reporter.Step(start_ + seconds(10));
  reporter.Step(start_ + seconds(15));
  ASSERT_EQ(world_.Count("SignalResource"), 1);
  std::string body = world_.FirstBody("SignalResource");
  EXPECT_NE(body.find("StackName=shop&LogicalResourceId=WebGroup&UniqueId=i-0123456789abcdef0"
                      "&Status=SUCCESS"),
            std::string::npos)
      << body;
  EXPECT_TRUE(reporter.signalled());
}

TEST_F(ReporterTest, SignalsSuccessOnlyOnceTheTargetGroupWouldRouteToThePod) {
  identity_.target_healthy = seconds(20);
  Reporter reporter = Make();
  world_.status = Status(true, 0);
  reporter.Step(start_ + seconds(10));
  reporter.Step(start_ + seconds(25));
  EXPECT_EQ(world_.Count("SignalResource"), 0);
  reporter.Step(start_ + seconds(30));
  EXPECT_EQ(world_.Count("SignalResource"), 1);
  EXPECT_EQ(LevelOf("signalled SUCCESS stack=shop resource=WebGroup: every container is ready, "
                    "for 20 s"),
            LogLevel::kInfo);  // progress
}

TEST_F(ReporterTest, SignalsFailureAtTheDeadlineWithTheReasonInTheLog) {
  Reporter reporter = Make();  // timeout 600 s, margin 60 s: the deadline is at 540 s
  world_.status = Status(false, 2);
  reporter.Step(start_ + seconds(539));
  EXPECT_EQ(world_.Count("SignalResource"), 0);
  reporter.Step(start_ + seconds(540));
  ASSERT_EQ(world_.Count("SignalResource"), 1);
  EXPECT_NE(world_.bodies.back().find("Status=FAILURE"), std::string::npos);
  EXPECT_TRUE(
      Logged("signalled FAILURE stack=shop resource=WebGroup: startup deadline passed; "
             "not ready: web (backoff, CrashLoopBackOff)"));
  // The reason went to the reporter's stream first, where deploy looks for it.
  auto put = std::find(world_.actions.begin(), world_.actions.end(), "PutLogEvents");
  auto signal = std::find(world_.actions.begin(), world_.actions.end(), "SignalResource");
  EXPECT_LT(put, signal);
  nlohmann::json events = nlohmann::json::parse(world_.FirstBody("PutLogEvents"));
  EXPECT_EQ(events["logStreamName"], "i-0123456789abcdef0/i2kit-ec2-reporter");
  EXPECT_EQ(ec2_logs::TextOfLogMessage(events["logEvents"][0]["message"]),
            "startup FAILURE: startup deadline passed; not ready: web (backoff, CrashLoopBackOff)");
}

TEST_F(ReporterTest, AFailingLogsEndpointDoesNotHoldUpTheFailureSignal) {
  Reporter reporter = Make();
  world_.status = Status(false, 2);
  world_.failures["CreateLogGroup"] = {500, 500, 500, 500, 500, 500};
  reporter.Step(start_ + seconds(540));
  EXPECT_EQ(world_.Count("SignalResource"), 1);
  EXPECT_TRUE(reporter.signalled());
  // The reason stays queued and is shipped once CloudWatch Logs answers, once.
  reporter.Step(start_ + seconds(545));
  reporter.Step(start_ + seconds(550));
  int reasons = 0;
  for (const std::string& body : world_.bodies) {
    if (body.find("startup FAILURE: ") != std::string::npos) ++reasons;
  }
  EXPECT_EQ(reasons, 1);
}

TEST_F(ReporterTest, KeepsTryingASignalThatWasThrottled) {
  Reporter reporter = Make();
  world_.status = Status(true, 0);
  // Three throttled attempts use up the first step's retries; the next step sends it.
  world_.failures["SignalResource"] = {400, 400, 400};
  reporter.Step(start_ + seconds(5));
  EXPECT_FALSE(reporter.signalled());
  EXPECT_TRUE(Logged("signal SUCCESS not sent, trying again"));
  EXPECT_GT(slept_.count(), 0);
  reporter.Step(start_ + seconds(10));
  EXPECT_TRUE(reporter.signalled());
  EXPECT_EQ(world_.Count("SignalResource"), 4);
}

TEST_F(ReporterTest, ASignalNobodyWaitsForIsNotSentAgain) {
  // An instance Auto Scaling launched as a replacement: CloudFormation refuses its signal.
  Reporter reporter = Make();
  world_.status = Status(true, 0);
  world_.refused.insert("SignalResource");
  reporter.Step(start_ + seconds(5));
  reporter.Step(start_ + seconds(10));
  reporter.Step(start_ + seconds(15));
  EXPECT_EQ(world_.Count("SignalResource"), 1);
  EXPECT_TRUE(
      Logged("signal SUCCESS refused, not sent again: cloudformation SignalResource: "
             "ValidationError: no signal expected"));
}

TEST_F(ReporterTest, MarksTheInstanceUnhealthyOncePastTheRestartLimit) {
  ReporterOptions options;
  options.restart_limit = 2;
  Reporter reporter = Make(options);
  world_.status = Status(false, 2);
  reporter.Step(start_ + seconds(5));
  EXPECT_EQ(world_.Count("SetInstanceHealth"), 0);
  world_.status = Status(false, 3);
  reporter.Step(start_ + seconds(60));
  reporter.Step(start_ + seconds(65));
  ASSERT_EQ(world_.Count("SetInstanceHealth"), 1);
  EXPECT_TRUE(reporter.marked_unhealthy());
  std::string body = world_.FirstBody("SetInstanceHealth");
  EXPECT_NE(body.find("InstanceId=i-0123456789abcdef0&HealthStatus=Unhealthy"), std::string::npos)
      << body;
  EXPECT_TRUE(Logged("marked Unhealthy: container web restarted 3 times in 600 s, limit 2"));
}

TEST_F(ReporterTest, PublishesMetricsEachMinuteWithRestartsSinceTheLastOne) {
  Reporter reporter = Make();
  world_.status = Status(true, 1, 4096);
  reporter.Step(start_ + seconds(5));
  reporter.Step(start_ + seconds(30));
  EXPECT_EQ(world_.Count("PutMetricData"), 1);
  const std::string first = world_.bodies.back();
  EXPECT_NE(first.find("Namespace=i2kit%2Fshop"), std::string::npos) << first;
  EXPECT_NE(first.find("MetricName=MemoryUsed&MetricData.member.1.Unit=Bytes&MetricData.member.1"
                       ".Value=4096&MetricData.member.1.Dimensions.member.1.Name=Deployment&"
                       "MetricData.member.1.Dimensions.member.1.Value=web&MetricData.member.1."
                       "Dimensions.member.2.Name=InstanceId"),
            std::string::npos)
      << first;
  EXPECT_NE(first.find("MetricName=ContainerRestarts&MetricData.member.2.Unit=Count&MetricData."
                       "member.2.Value=1&"),
            std::string::npos);
  EXPECT_NE(first.find("MetricName=Ready&MetricData.member.3.Unit=None&MetricData.member.3."
                       "Value=1&"),
            std::string::npos);
  // A failed publication carries its restarts into the next minute.
  world_.status = Status(true, 3);
  world_.failures["PutMetricData"] = {503, 503, 503};
  reporter.Step(start_ + seconds(65));
  world_.status = Status(true, 4);
  reporter.Step(start_ + seconds(125));
  EXPECT_EQ(world_.Count("PutMetricData"), 5);
  EXPECT_NE(world_.bodies.back().find("member.2.Value=3&"), std::string::npos)
      << world_.bodies.back();
  EXPECT_EQ(LevelOf("metrics not published"), LogLevel::kWarn);  // survived: carried over
}

TEST_F(ReporterTest, AnAbsentAgentIsLoggedOnceAndSignalledAsFailureAtTheDeadline) {
  Reporter reporter = Make();
  reporter.Step(start_ + seconds(5));
  reporter.Step(start_ + seconds(10));
  EXPECT_EQ(std::count_if(log_.begin(), log_.end(),
                          [](const std::string& l) {
                            return l.find("agent status unavailable") != std::string::npos;
                          }),
            1);
  EXPECT_EQ(world_.Count("PutMetricData"), 0);
  reporter.Step(start_ + seconds(540));
  EXPECT_EQ(world_.Count("SignalResource"), 1);
  EXPECT_TRUE(
      Logged("the agent did not answer: agent http://agent.test:8089/: connection refused"));
}

TEST_F(ReporterTest, RenewsCredentialsBeforeTheyExpire) {
  Reporter reporter = Make();
  world_.status = Status(false, 0);
  reporter.Step(start_ + seconds(5));
  EXPECT_EQ(credential_fetches_, 1);  // none yet: fetched
  reporter.Step(start_ + seconds(10));
  EXPECT_EQ(credential_fetches_, 1);  // six hours left
  context_.credentials.expiration = context_.now() + seconds(200);
  reporter.Step(start_ + seconds(15));
  EXPECT_EQ(credential_fetches_, 2);  // within five minutes of expiring
}

TEST_F(ReporterTest, ShipsNewOutputToOneStreamPerContainer) {
  Reporter reporter = Make();
  world_.status = Status(true, 0);
  world_.log_lines = {{"web", "GET / 200"}, {"db", "ready"}, {"web/stderr", "warning"}};
  reporter.Step(start_ + seconds(5));
  std::vector<std::string> logs_actions;
  for (const std::string& action : world_.actions) {
    if (action.find("Log") != std::string::npos) logs_actions.push_back(action);
  }
  EXPECT_EQ(logs_actions,
            (std::vector<std::string>{"CreateLogGroup", "CreateLogStream", "PutLogEvents",
                                      "CreateLogStream", "PutLogEvents"}));
  EXPECT_EQ(nlohmann::json::parse(world_.FirstBody("CreateLogGroup"))["logGroupName"],
            "/i2kit/shop/web");
  nlohmann::json put = nlohmann::json::parse(world_.FirstBody("PutLogEvents"));
  EXPECT_EQ(put["logStreamName"], "i-0123456789abcdef0/web");
  ASSERT_EQ(put["logEvents"].size(), 2u);
  EXPECT_EQ(ec2_logs::TextOfLogMessage(put["logEvents"][0]["message"]), "GET / 200");
  EXPECT_EQ(ec2_logs::TextOfLogMessage(put["logEvents"][1]["message"]), "warning");
  EXPECT_EQ(put["logEvents"][0]["timestamp"], 1795392000000);  // the context's clock, in ms

  // Only new lines next time, and no second CreateLogStream.
  world_.log_lines.push_back({"web", "GET /x 404"});
  reporter.Step(start_ + seconds(10));
  EXPECT_EQ(world_.Count("CreateLogStream"), 2);
  nlohmann::json next = nlohmann::json::parse(world_.bodies.back());
  ASSERT_EQ(next["logEvents"].size(), 1u);
  EXPECT_EQ(ec2_logs::TextOfLogMessage(next["logEvents"][0]["message"]), "GET /x 404");
}

TEST_F(ReporterTest, ALogGroupDeletedUnderItIsMadeAgainForANewStream) {
  Reporter reporter = Make();
  world_.status = Status(true, 0);
  world_.log_lines = {{"web", "GET / 200"}};
  reporter.Step(start_ + seconds(5));
  ASSERT_EQ(world_.Count("PutLogEvents"), 1);
  // Someone deletes the group; then a container the reporter has no stream for yet speaks.
  world_.log_group_deleted = true;
  world_.log_lines.push_back({"db", "ready"});
  reporter.Step(start_ + seconds(10));
  EXPECT_EQ(world_.Count("CreateLogGroup"), 2);
  EXPECT_EQ(world_.Count("PutLogEvents"), 2);
  nlohmann::json put = nlohmann::json::parse(world_.bodies.back());
  EXPECT_EQ(put["logStreamName"], "i-0123456789abcdef0/db");
  EXPECT_EQ(ec2_logs::TextOfLogMessage(put["logEvents"][0]["message"]), "ready");
  EXPECT_FALSE(Logged("logs not shipped")) << ::testing::PrintToString(log_);
}

TEST_F(ReporterTest, AFailingLogsEndpointDropsTheOldestLinesAndSaysHowMany) {
  ReporterOptions options;
  options.log_queue_bytes = 400;  // four lines of 90 bytes ("web" and its JSON line)
  Reporter reporter = Make(options);
  world_.status = Status(true, 0);
  for (int i = 0; i < 10; ++i) world_.log_lines.push_back({"web", "line " + std::to_string(i)});
  world_.failures["CreateLogGroup"] = {503, 503, 503};
  reporter.Step(start_ + seconds(5));
  EXPECT_EQ(world_.Count("PutLogEvents"), 0);
  EXPECT_TRUE(Logged("logs not shipped, keeping them queued"));
  EXPECT_TRUE(Logged("dropped 6 lines of container output"));
  // The endpoint is back: the newest lines and the notice of the loss go out.
  reporter.Step(start_ + seconds(10));
  std::vector<std::string> messages;
  for (size_t i = 0; i < world_.actions.size(); ++i) {
    if (world_.actions[i] != "PutLogEvents") continue;
    nlohmann::json put = nlohmann::json::parse(world_.bodies[i]);
    for (const auto& event : put["logEvents"])
      messages.push_back(ec2_logs::TextOfLogMessage(event["message"]));
  }
  ASSERT_EQ(messages.size(), 5u) << ::testing::PrintToString(messages);
  EXPECT_EQ(messages[0].substr(0, 41), "dropped 6 lines of container output: Clou");
  EXPECT_EQ(messages[1], "line 6");
  EXPECT_EQ(messages[4], "line 9");
}

TEST_F(ReporterTest, LinesTheAgentNoLongerHeldAreCountedAsDropped) {
  Reporter reporter = Make();
  world_.status = Status(true, 0);
  world_.first_log_line = 25;  // lines 0-24 were pushed out of the agent's buffer
  world_.log_lines = {{"web", "late"}};
  reporter.Step(start_ + seconds(5));
  EXPECT_TRUE(Logged("dropped 25 lines of container output"));
}

}  // namespace
}  // namespace i2kit::reporter
