#include "aws-client/sigv4.h"

#include <gtest/gtest.h>

namespace i2kit::aws {
namespace {

using std::chrono::sys_days;
using std::chrono::year;

const std::chrono::sys_seconds kTime =
    sys_days{year{2015} / 8 / 30} + std::chrono::hours{12} + std::chrono::minutes{36};

std::string Hex(const std::array<unsigned char, 32>& bytes) {
  std::string hex;
  char digits[3];
  for (unsigned char b : bytes) {
    std::snprintf(digits, sizeof(digits), "%02x", b);
    hex += digits;
  }
  return hex;
}

std::string Uri(std::string_view path, PathRules rules) {
  Result<std::string> uri = CanonicalUri(path, rules);
  EXPECT_TRUE(uri.ok()) << path;
  return uri.ok() ? *uri : "<error>";
}

HttpRequest DescribeStacksRequest() {
  HttpRequest request;
  request.method = "POST";
  request.headers = {{"Host", "cloudformation.eu-west-1.amazonaws.com"},
                     {"Content-Type", "application/x-www-form-urlencoded"}};
  request.body = "Action=DescribeStacks&Version=2010-05-15";
  return request;
}

SigningParams CloudFormationParams() {
  SigningParams params;
  params.region = "eu-west-1";
  params.service = "cloudformation";
  params.time = kTime;
  return params;
}

Credentials Keys(std::string id, std::string secret, std::string token = "") {
  Credentials credentials;
  credentials.access_key_id = std::move(id);
  credentials.secret_access_key = std::move(secret);
  credentials.session_token = std::move(token);
  return credentials;
}

TEST(SigV4Test, FormatsAmzDateInUtc) {
  EXPECT_EQ(AmzDate(kTime), "20150830T123600Z");
  EXPECT_EQ(AmzDate(sys_days{year{2024} / 2 / 29}), "20240229T000000Z");
}

TEST(SigV4Test, DerivesTheSigningKeyOfAwsDocumentation) {
  // The worked example of the IAM User Guide ("derive a signing key"), 2012-02-15, iam.
  std::chrono::sys_seconds day = sys_days{year{2012} / 2 / 15};
  EXPECT_EQ(Hex(SigningKey("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", day, "us-east-1", "iam")),
            "f4780e2d9f65fa895f9c67b32ce1baf0b0d8a43505a000a1a9e090d414db404d");
}

TEST(SigV4Test, EncodesAnEncodedPathAgainExceptForS3) {
  EXPECT_EQ(Uri("/my%20key", PathRules::kNormalizeAndEncodeTwice), "/my%2520key");
  EXPECT_EQ(Uri("/my%20key", PathRules::kS3), "/my%20key");
  EXPECT_EQ(Uri("/a+b=c", PathRules::kS3), "/a%2Bb%3Dc");
}

TEST(SigV4Test, NormalizesDotsAndEmptySegmentsExceptForS3) {
  EXPECT_EQ(Uri("/a/./b/../c//d/", PathRules::kNormalizeAndEncodeTwice), "/a/c/d/");
  EXPECT_EQ(Uri("/a/b/..", PathRules::kNormalizeAndEncodeTwice), "/a/");
  EXPECT_EQ(Uri("/../..", PathRules::kNormalizeAndEncodeTwice), "/");
  EXPECT_EQ(Uri("", PathRules::kNormalizeAndEncodeTwice), "/");
  EXPECT_EQ(Uri("/a/./b/../c//d/", PathRules::kS3), "/a/./b/../c//d/");
}

TEST(SigV4Test, RejectsMalformedPercentEncodingInAnS3Path) {
  Result<std::string> uri = CanonicalUri("/key%2", PathRules::kS3);
  ASSERT_FALSE(uri.ok());
  EXPECT_EQ(uri.status().message(),
            "request path: bad percent-encoding at offset 4 in '/key%2': expected % and two hex "
            "digits");
}

TEST(SigV4Test, SortsAndReencodesQueryParameters) {
  EXPECT_EQ(*CanonicalQueryString("b=2&a=1&a=0&c"), "a=0&a=1&b=2&c=");
  EXPECT_EQ(*CanonicalQueryString("x=a%20b&y=a+b&&z=%7e"), "x=a%20b&y=a%2Bb&z=~");
  EXPECT_FALSE(CanonicalQueryString("x=%zz").ok());
}

TEST(SigV4Test, RefusesARequestWithoutHost) {
  HttpRequest request = DescribeStacksRequest();
  request.headers.erase(request.headers.begin());
  Result<SigningResult> signed_parts =
      SignRequest(request, Keys("AKID", "secret"), CloudFormationParams());
  ASSERT_FALSE(signed_parts.ok());
  EXPECT_EQ(signed_parts.status().message(), "signing request: request has no Host header to sign");
}

TEST(SigV4Test, RefusesIncompleteCredentials) {
  HttpRequest request = DescribeStacksRequest();
  EXPECT_FALSE(SignRequest(request, Keys("AKID", ""), CloudFormationParams()).ok());
  SigningParams no_region = CloudFormationParams();
  no_region.region.clear();
  EXPECT_FALSE(SignRequest(request, Keys("AKID", "secret"), no_region).ok());
}

TEST(SigV4Test, LeavesUserAgentUnsigned) {
  HttpRequest request = DescribeStacksRequest();
  request.headers.push_back({"User-Agent", "i2kit/0.1"});
  Result<SigningResult> signed_parts =
      SignRequest(request, Keys("AKID", "secret"), CloudFormationParams());
  ASSERT_TRUE(signed_parts.ok());
  EXPECT_NE(signed_parts->authorization.find("SignedHeaders=content-type;host;x-amz-date,"),
            std::string::npos)
      << signed_parts->authorization;
}

TEST(SigV4Test, SigningAgainReplacesTheEarlierSignatureHeaders) {
  HttpRequest request = DescribeStacksRequest();
  Credentials credentials = Keys("AKID", "secret", "token");
  SigningParams params = CloudFormationParams();
  ASSERT_TRUE(SignRequest(request, credentials, params).ok());
  params.time += std::chrono::seconds{5};
  Result<SigningResult> second = SignRequest(request, credentials, params);
  ASSERT_TRUE(second.ok());

  int dates = 0, tokens = 0, authorizations = 0;
  for (const HttpHeader& header : request.headers) {
    if (header.name == "X-Amz-Date") {
      ++dates;
      EXPECT_EQ(header.value, "20150830T123605Z");
    }
    if (header.name == "X-Amz-Security-Token") ++tokens;
    if (header.name == "Authorization") {
      ++authorizations;
      EXPECT_EQ(header.value, second->authorization);
    }
  }
  EXPECT_EQ(dates, 1);
  EXPECT_EQ(tokens, 1);
  EXPECT_EQ(authorizations, 1);
}

}  // namespace
}  // namespace i2kit::aws
