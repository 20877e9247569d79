// The S3 calls of the template bucket as they leave the client against AWS itself (the stand-in
// sees path-style requests only): virtual-hosted style, signed for S3 with the payload's hash,
// the bucket's owner named, a checksum on configurations.
#include "aws-client/s3_api.h"

#include <gtest/gtest.h>

#include "aws-client/sigv4.h"
#include "scripted_transport.h"

namespace i2kit::aws {
namespace {

using S3ClientTest = ScriptedContextTest;

TEST_F(S3ClientTest, AnObjectGoesToTheBucketsOwnHostSignedWithItsPayloadHash) {
  transport_.answers.push_back(Answer(200, ""));
  Status put = S3Client(context_).PutObject("i2kit-templates-1-eu-west-1", "web/ab.json", "{}",
                                            "application/json", "123456789012");
  ASSERT_TRUE(put.ok()) << put.message();
  EXPECT_EQ(transport_.urls[0], "https://i2kit-templates-1-eu-west-1.s3.eu-west-1.amazonaws.com/");
  const HttpRequest& sent = transport_.sent[0];
  EXPECT_EQ(sent.method, "PUT");
  EXPECT_EQ(sent.path, "/web/ab.json");
  EXPECT_EQ(Header(sent, "x-amz-content-sha256"), Sha256Hex("{}"));
  EXPECT_EQ(Header(sent, "x-amz-expected-bucket-owner"), "123456789012");
  std::string authorization = Header(sent, "Authorization");
  EXPECT_NE(authorization.find("/eu-west-1/s3/aws4_request"), std::string::npos);
  EXPECT_NE(authorization.find("x-amz-content-sha256"), std::string::npos);
}

TEST_F(S3ClientTest, ConfigurationsCarryTheirSubResourceAndContentMd5) {
  transport_.answers.push_back(Answer(200, ""));
  ASSERT_TRUE(S3Client(context_).EncryptByDefault("b-1", "123456789012").ok());
  const HttpRequest& sent = transport_.sent[0];
  EXPECT_EQ(sent.path, "/");
  EXPECT_EQ(sent.query, "encryption");
  EXPECT_NE(sent.body.find("<SSEAlgorithm>AES256</SSEAlgorithm>"), std::string::npos);
  // MD5 of the body, base64: S3 refuses these calls without a checksum.
  EXPECT_EQ(Header(sent, "Content-MD5").size(), 24u);
}

TEST_F(S3ClientTest, ANewBucketOutsideUsEast1NamesItsRegion) {
  transport_.answers.push_back(Answer(200, ""));
  ASSERT_TRUE(S3Client(context_).CreateBucket("b-1").ok());
  EXPECT_NE(transport_.sent[0].body.find("<LocationConstraint>eu-west-1</LocationConstraint>"),
            std::string::npos);
  context_.region = "us-east-1";
  transport_.answers.push_back(Answer(200, ""));
  ASSERT_TRUE(S3Client(context_).CreateBucket("b-1").ok());
  EXPECT_TRUE(transport_.sent[1].body.empty());
}

TEST_F(S3ClientTest, HeadBucketTellsMissingFromSomeoneElses) {
  transport_.answers.push_back(Answer(404, ""));
  Result<bool> missing = S3Client(context_).BucketExists("b-1", "123456789012");
  ASSERT_TRUE(missing.ok()) << missing.status().message();
  EXPECT_FALSE(*missing);
  transport_.answers.push_back(Answer(403, ""));
  Result<bool> foreign = S3Client(context_).BucketExists("b-1", "123456789012");
  ASSERT_FALSE(foreign.ok());
  EXPECT_NE(foreign.status().message().find("is not this account's"), std::string::npos);
  EXPECT_EQ(transport_.sent[0].method, "HEAD");
}

TEST(S3ObjectUrlTest, IsVirtualHostedInTheBucketsRegion) {
  EXPECT_EQ(S3ObjectUrl("b", "us-east-1", "s/k.json"),
            "https://b.s3.us-east-1.amazonaws.com/s/k.json");
  EXPECT_EQ(S3ObjectUrl("b", "cn-north-1", "k"), "https://b.s3.cn-north-1.amazonaws.com.cn/k");
}

}  // namespace
}  // namespace i2kit::aws
