#include "aws-client/json_client.h"

#include <gtest/gtest.h>

#include <deque>

#include "aws-client/cloudwatch_logs_api.h"
#include "aws-client/http1_response.h"

namespace i2kit::aws {
namespace {

class ScriptedJsonTransport : public HttpTransport {
 public:
  std::deque<HttpResponse> answers;
  std::vector<HttpRequest> sent;

  HttpExchange Send(const ServiceEndpoint&, const HttpRequest& request) override {
    sent.push_back(request);
    HttpResponse next = answers.front();
    answers.pop_front();
    return {next, false, ""};
  }
};

class JsonClientTest : public ::testing::Test {
 protected:
  JsonClientTest() : policy_(RetryOptions{}, [] { return 0.5; }) {
    context_.credentials = {"AKIDEXAMPLE", "secret", "", std::nullopt};
    context_.region = "eu-west-1";
    context_.transport = &transport_;
    context_.retry_policy = &policy_;
    context_.now = [] {
      return std::chrono::sys_seconds{std::chrono::sys_days{std::chrono::year{2026} / 11 / 23}};
    };
    context_.sleep = [](std::chrono::milliseconds) {};
  }

  ScriptedJsonTransport transport_;
  RetryPolicy policy_;
  ClientContext context_;
};

TEST_F(JsonClientTest, PostsTheActionInXAmzTargetAndReadsTheJsonAnswer) {
  transport_.answers.push_back({200, {}, R"({"nextSequenceToken":"7"})"});
  JsonClient client(kCloudWatchLogsApi, context_);
  Result<nlohmann::json> output = client.Call("PutLogEvents", {{"logGroupName", "g"}});
  ASSERT_TRUE(output.ok()) << output.status().message();
  EXPECT_EQ((*output)["nextSequenceToken"], "7");
  const HttpRequest& request = transport_.sent[0];
  EXPECT_EQ(FindHeader(request.headers, "X-Amz-Target"), "Logs_20140328.PutLogEvents");
  EXPECT_EQ(FindHeader(request.headers, "Content-Type"), "application/x-amz-json-1.1");
  EXPECT_EQ(FindHeader(request.headers, "Host"), "logs.eu-west-1.amazonaws.com");
  EXPECT_NE(FindHeader(request.headers, "Authorization")->find("/eu-west-1/logs/aws4_request"),
            std::string::npos);
  EXPECT_EQ(request.body, R"({"logGroupName":"g"})");
}

TEST_F(JsonClientTest, RetriesThrottlingAndNamesTheErrorItGivesUpOn) {
  HttpResponse throttled{400, {}, R"({"__type":"ThrottlingException","message":"Rate exceeded"})"};
  transport_.answers = {throttled, {200, {}, ""}};
  JsonClient client(kCloudWatchLogsApi, context_);
  Result<nlohmann::json> output = client.Call("CreateLogGroup", {{"logGroupName", "g"}});
  ASSERT_TRUE(output.ok());
  EXPECT_TRUE(output->is_object());
  EXPECT_EQ(transport_.sent.size(), 2u);

  transport_.answers = {{400, {},
                         R"({"__type":"com.amazonaws.logs#InvalidParameterException",)"
                         R"("message":"bad order"})"}};
  AwsError error;
  Result<nlohmann::json> failed = client.Call("PutLogEvents", nlohmann::json::object(), &error);
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(error.code, "InvalidParameterException");
  EXPECT_NE(failed.status().message().find("logs PutLogEvents: InvalidParameterException: bad "
                                           "order"),
            std::string::npos)
      << failed.status().message();
}

TEST_F(JsonClientTest, CreatingWhatExistsIsSuccess) {
  HttpResponse exists{400, {}, R"({"__type":"ResourceAlreadyExistsException","message":"x"})"};
  transport_.answers = {exists, exists, {400, {}, R"({"__type":"AccessDeniedException"})"}};
  CloudWatchLogsClient logs(context_);
  EXPECT_TRUE(logs.CreateLogGroup("g").ok());
  EXPECT_TRUE(logs.CreateLogStream("g", "s").ok());
  AwsError error;
  EXPECT_FALSE(logs.CreateLogGroup("h", &error).ok());
  EXPECT_EQ(error.code, "AccessDeniedException");
}

}  // namespace
}  // namespace i2kit::aws
