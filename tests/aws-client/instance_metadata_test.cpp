#include "aws-client/instance_metadata.h"

#include <gtest/gtest.h>

namespace i2kit::aws {
namespace {

TEST(RoleCredentialsTest, ReadsTheRoleDocument) {
  Result<Credentials> credentials = ParseRoleCredentials(
      R"({"Code":"Success","AccessKeyId":"AKID","SecretAccessKey":"secret","Token":"token",
          "Expiration":"2026-11-23T06:00:00Z"})");
  ASSERT_TRUE(credentials.ok()) << credentials.status().message();
  EXPECT_EQ(credentials->access_key_id, "AKID");
  EXPECT_EQ(credentials->session_token, "token");
}

TEST(RoleCredentialsTest, ADocumentOfAnotherShapeIsAnErrorNotACrash) {
  for (const char* document :
       {R"(["AKID"])", R"({"Code":0,"AccessKeyId":"AKID"})", R"({"Code":"Failure","Message":7})",
        R"({"Code":"Success","AccessKeyId":["AKID"]})"}) {
    Result<Credentials> credentials = ParseRoleCredentials(document);
    EXPECT_FALSE(credentials.ok()) << document;
  }
  Result<Credentials> odd = ParseRoleCredentials(R"({"Code":0})");
  ASSERT_FALSE(odd.ok());
  EXPECT_EQ(odd.status().message(),
            "the role document: the answer has Code of type number, expected a string");
}

}  // namespace
}  // namespace i2kit::aws
