#include "aws-client/secrets_manager_api.h"

#include <gtest/gtest.h>

#include "aws-client/http1_response.h"
#include "scripted_transport.h"

namespace i2kit::aws {
namespace {

using SecretsManagerTest = ScriptedContextTest;

TEST_F(SecretsManagerTest, GetSecretValueAsksForTheSecretByIdAndReturnsItsString) {
  transport_.answers.push_back(Answer(
      200, R"({"ARN":"arn:aws:secretsmanager:eu-west-1:1:secret:s/web-AbCdEf",)"
           R"("Name":"s/web","SecretString":"{\"secrets\":[]}","VersionStages":["AWSCURRENT"]})"));
  SecretsManagerClient client(context_);
  Result<std::string> value = client.GetSecretString("s/web");
  ASSERT_TRUE(value.ok()) << value.status().message();
  EXPECT_EQ(*value, R"({"secrets":[]})");
  const HttpRequest& request = transport_.sent[0];
  EXPECT_EQ(FindHeader(request.headers, "X-Amz-Target"), "secretsmanager.GetSecretValue");
  EXPECT_EQ(FindHeader(request.headers, "Content-Type"), "application/x-amz-json-1.1");
  EXPECT_EQ(FindHeader(request.headers, "Host"), "secretsmanager.eu-west-1.amazonaws.com");
  EXPECT_NE(
      FindHeader(request.headers, "Authorization")->find("/eu-west-1/secretsmanager/aws4_request"),
      std::string::npos);
  EXPECT_EQ(request.body, R"({"SecretId":"s/web"})");
}

TEST_F(SecretsManagerTest, AMissingSecretIsAwsErrorAndABinaryOneIsRefusedWithoutItsValue) {
  transport_.answers = {Answer(400,
                               R"({"__type":"ResourceNotFoundException",)"
                               R"("message":"Secrets Manager can't find the specified secret."})")};
  SecretsManagerClient client(context_);
  AwsError error;
  Result<std::string> missing = client.GetSecretString("s/gone", &error);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(error.code, "ResourceNotFoundException");
  EXPECT_NE(missing.status().message().find("can't find the specified secret"), std::string::npos)
      << missing.status().message();

  transport_.answers = {Answer(200, R"({"Name":"s/web","SecretBinary":"c2VjcmV0LXZhbHVl"})")};
  Result<std::string> binary = client.GetSecretString("s/web");
  ASSERT_FALSE(binary.ok());
  EXPECT_NE(binary.status().message().find("binary"), std::string::npos);
  EXPECT_EQ(binary.status().message().find("c2VjcmV0LXZhbHVl"), std::string::npos);
}

}  // namespace
}  // namespace i2kit::aws
