#include "aws-client/query_client.h"

#include <gtest/gtest.h>

#include "scripted_transport.h"

namespace i2kit::aws {
namespace {

const char kThrottled[] =
    "<ErrorResponse><Error><Type>Sender</Type><Code>Throttling</Code><Message>Rate exceeded"
    "</Message></Error><RequestId>r1</RequestId></ErrorResponse>";
const char kStacks[] =
    "<DescribeStacksResponse xmlns=\"http://cloudformation.amazonaws.com/doc/2010-05-15/\">"
    "<DescribeStacksResult><Stacks/></DescribeStacksResult></DescribeStacksResponse>";

using QueryClientTest = ScriptedContextTest;

TEST_F(QueryClientTest, PostsTheSignedQueryToTheRegionalEndpoint) {
  transport_.answers.push_back(Answer(200, kStacks));
  QueryClient client(kCloudFormationApi, context_);
  QueryParameters parameters;
  parameters.Add("StackName", "web app");
  Result<XmlDocument> response = client.Call("DescribeStacks", parameters);
  ASSERT_TRUE(response.ok()) << response.status().message();
  ASSERT_EQ(transport_.sent.size(), 1u);
  const HttpRequest& request = transport_.sent[0];
  EXPECT_EQ(transport_.urls[0], "https://cloudformation.eu-west-1.amazonaws.com/");
  EXPECT_EQ(request.method, "POST");
  EXPECT_EQ(request.body, "Action=DescribeStacks&Version=2010-05-15&StackName=web%20app");
  EXPECT_EQ(Header(request, "Host"), "cloudformation.eu-west-1.amazonaws.com");
  EXPECT_EQ(Header(request, "X-Amz-Date"), "20261123T000000Z");
  EXPECT_NE(Header(request, "Authorization")
                .find("Credential=AKIDEXAMPLE/20261123/eu-west-1/cloudformation/aws4_request"),
            std::string::npos);
}

TEST_F(QueryClientTest, EndpointOverrideSendsEveryServiceThere) {
  context_.endpoint_override = ParseEndpointUrl("http://127.0.0.1:4566").value();
  transport_.answers.push_back(Answer(200, kStacks));
  QueryClient client(kAutoScalingApi, context_);
  ASSERT_TRUE(client.Call("DescribeAutoScalingGroups", {}).ok());
  EXPECT_EQ(transport_.urls[0], "http://127.0.0.1:4566/");
  EXPECT_EQ(Header(transport_.sent[0], "Host"), "127.0.0.1:4566");
  EXPECT_NE(Header(transport_.sent[0], "Authorization").find("/autoscaling/aws4_request"),
            std::string::npos);
}

TEST_F(QueryClientTest, ThrottlingIsRetriedAfterABackOffAndSignedAgainWithTheNewTime) {
  transport_.answers.push_back(Answer(400, kThrottled));
  transport_.answers.push_back(Answer(200, kStacks));
  QueryClient client(kCloudFormationApi, context_);
  Result<XmlDocument> response = client.Call("DescribeStacks", {});
  ASSERT_TRUE(response.ok()) << response.status().message();
  ASSERT_EQ(transport_.sent.size(), 2u);
  ASSERT_EQ(slept_.size(), 1u);
  EXPECT_EQ(slept_[0], std::chrono::milliseconds(500));  // 0.5 · 1 s, the throttling base
  EXPECT_NE(Header(transport_.sent[0], "X-Amz-Date"), Header(transport_.sent[1], "X-Amz-Date"));
  ASSERT_EQ(notices_.size(), 1u);
  EXPECT_EQ(notices_[0], "cloudformation DescribeStacks: Throttling; retrying in 500 ms");
}

TEST_F(QueryClientTest, AnErrorThatIsNotRetryableIsReturnedWithItsCode) {
  transport_.answers.push_back(Answer(
      400,
      "<ErrorResponse><Error><Type>Sender</Type><Code>ValidationError</Code><Message>Stack with "
      "id x does not exist</Message></Error><RequestId>abc</RequestId></ErrorResponse>"));
  QueryClient client(kCloudFormationApi, context_);
  AwsError error;
  Result<XmlDocument> response = client.Call("DescribeStacks", {}, &error);
  ASSERT_FALSE(response.ok());
  EXPECT_EQ(transport_.sent.size(), 1u);
  EXPECT_EQ(error.code, "ValidationError");
  EXPECT_EQ(response.status().message(),
            "cloudformation DescribeStacks: ValidationError: Stack with id x does not exist "
            "(HTTP 400, request abc)");
}

TEST_F(QueryClientTest, GivesUpAfterThreeAttemptsSayingSo) {
  for (int i = 0; i < 3; ++i)
    transport_.answers.push_back(HttpExchange{std::nullopt, false, "Connection"});
  QueryClient client(kCloudFormationApi, context_);
  Result<XmlDocument> response = client.Call("DescribeStacks", {});
  ASSERT_FALSE(response.ok());
  EXPECT_EQ(transport_.sent.size(), 3u);
  EXPECT_EQ(slept_.size(), 2u);
  EXPECT_EQ(response.status().message(),
            "cloudformation DescribeStacks: cannot reach "
            "https://cloudformation.eu-west-1.amazonaws.com/: Connection (after 3 attempts)");
}

}  // namespace
}  // namespace i2kit::aws
