#include "aws-client/json_client.h"

#include <gtest/gtest.h>

#include "aws-client/cloudwatch_logs_api.h"
#include "aws-client/http1_response.h"
#include "scripted_transport.h"

namespace i2kit::aws {
namespace {

// The shared scripted context (scripted_transport.h).
using JsonClientTest = ScriptedContextTest;

TEST_F(JsonClientTest, PostsTheActionInXAmzTargetAndReadsTheJsonAnswer) {
  transport_.answers.push_back(Answer(200, R"({"nextSequenceToken":"7"})"));
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
  HttpExchange throttled =
      Answer(400, R"({"__type":"ThrottlingException","message":"Rate exceeded"})");
  transport_.answers = {throttled, Answer(200, "")};
  JsonClient client(kCloudWatchLogsApi, context_);
  Result<nlohmann::json> output = client.Call("CreateLogGroup", {{"logGroupName", "g"}});
  ASSERT_TRUE(output.ok());
  EXPECT_TRUE(output->is_object());
  EXPECT_EQ(transport_.sent.size(), 2u);

  transport_.answers = {Answer(400, R"({"__type":"com.amazonaws.logs#InvalidParameterException",)"
                                    R"("message":"bad order"})")};
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
  HttpExchange exists = Answer(400, R"({"__type":"ResourceAlreadyExistsException","message":"x"})");
  transport_.answers = {exists, exists, Answer(400, R"({"__type":"AccessDeniedException"})")};
  CloudWatchLogsClient logs(context_);
  EXPECT_TRUE(logs.CreateLogGroup("g").ok());
  EXPECT_TRUE(logs.CreateLogStream("g", "s").ok());
  AwsError error;
  EXPECT_FALSE(logs.CreateLogGroup("h", &error).ok());
  EXPECT_EQ(error.code, "AccessDeniedException");
}

TEST_F(JsonClientTest, FilterLogEventsFollowsTheTokenAndKeepsEachEventsStream) {
  transport_.answers = {
      Answer(200, R"({"events":[{"logStreamName":"i-1/i2kit-ec2-reporter","timestamp":5,)"
                  R"("message":"a"}],"nextToken":"t1"})"),
      Answer(200, R"({"events":[{"logStreamName":"i-2/web","timestamp":6,"message":"b"}]})")};
  CloudWatchLogsClient logs(context_);
  Result<std::vector<FoundLogEvent>> found = logs.FilterLogEvents("g", "\"b c\"", 1000);
  ASSERT_TRUE(found.ok()) << found.status().message();
  ASSERT_EQ(found->size(), 2u);
  EXPECT_EQ((*found)[0].stream, "i-1/i2kit-ec2-reporter");
  EXPECT_EQ((*found)[0].event.timestamp_ms, 5);
  EXPECT_EQ((*found)[1].event.message, "b");
  ASSERT_EQ(transport_.sent.size(), 2u);
  EXPECT_EQ(
      nlohmann::json::parse(transport_.sent[0].body),
      (nlohmann::json{{"logGroupName", "g"}, {"filterPattern", "\"b c\""}, {"startTime", 1000}}));
  EXPECT_EQ(nlohmann::json::parse(transport_.sent[1].body)["nextToken"], "t1");
}

TEST_F(JsonClientTest, FilterLogEventsStopsAtItsPageLimit) {
  HttpExchange endless = Answer(200, R"({"events":[],"nextToken":"again"})");
  transport_.answers = {endless, endless, endless};
  CloudWatchLogsClient logs(context_);
  ASSERT_TRUE(logs.FilterLogEvents("g", "x", 0, 2).ok());
  EXPECT_EQ(transport_.sent.size(), 2u);
}

TEST_F(JsonClientTest, FilterLogEventsOfAnotherShapeIsAnErrorNotACrash) {
  CloudWatchLogsClient logs(context_);
  for (const char* body : {R"([1,2])", R"({"events":{}})", R"({"events":[7]})",
                           R"({"events":[{"logStreamName":1,"timestamp":5,"message":"a"}]})",
                           R"({"events":[{"logStreamName":"s","timestamp":"5","message":"a"}]})"}) {
    transport_.answers = {Answer(200, body)};
    Result<std::vector<FoundLogEvent>> found = logs.FilterLogEvents("g", "x", 0);
    EXPECT_FALSE(found.ok()) << body;
  }
}

}  // namespace
}  // namespace i2kit::aws
