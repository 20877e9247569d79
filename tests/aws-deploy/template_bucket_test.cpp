// The template bucket's name and keys: derived, so that every run finds them.
#include "aws-deploy/template_bucket.h"

#include <gtest/gtest.h>

#include "aws-client/sigv4.h"

namespace i2kit {
namespace {

TEST(TemplateBucketTest, TheNameIsTheAccountsAndRegionsAndFitsS3sLimit) {
  EXPECT_EQ(TemplateBucketName("123456789012", "eu-west-1"),
            "i2kit-templates-123456789012-eu-west-1");
  // The longest region names AWS has: S3 takes at most 63 characters.
  EXPECT_LE(TemplateBucketName("123456789012", "ap-southeast-5").size(), 63u);
  EXPECT_LE(TemplateBucketName("123456789012", "us-gov-west-1").size(), 63u);
}

TEST(TemplateBucketTest, TheKeyIsTheStackAndTheTemplatesDigest) {
  EXPECT_EQ(TemplateObjectKey("web", "{}"), "web/" + aws::Sha256Hex("{}") + ".json");
  EXPECT_NE(TemplateObjectKey("web", "{}"), TemplateObjectKey("web", "{ }"));
}

}  // namespace
}  // namespace i2kit
