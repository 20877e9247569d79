#include "image-builder/sha256.h"

#include <gtest/gtest.h>

namespace i2kit {
namespace {

const std::string kEmpty =
    "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

TEST(Sha256Test, HashesTheEmptyString) {
  EXPECT_EQ(*Sha256Of(""), kEmpty);
}

TEST(Sha256Test, AcceptsSha256AndSixtyFourLowerHexDigits) {
  EXPECT_TRUE(IsSha256Digest(kEmpty));
}

TEST(Sha256Test, RefusesDigestsThatCouldBecomePathsOutsideBlobs) {
  EXPECT_FALSE(IsSha256Digest("sha256:../../etc/passwd"));
  EXPECT_FALSE(IsSha256Digest("sha256:" + std::string(58, 'a') + "/../.."));
  EXPECT_FALSE(IsSha256Digest("sha256:" + std::string(64, 'A')));
  EXPECT_FALSE(IsSha256Digest("sha512:" + std::string(64, 'a')));
  EXPECT_FALSE(IsSha256Digest(kEmpty + "0"));
  EXPECT_FALSE(IsSha256Digest(""));
  Status status = CheckSha256Digest("sha256:../../etc/passwd");
  ASSERT_FALSE(status.ok());
  EXPECT_NE(status.message().find("sha256:../../etc/passwd"), std::string::npos);
}

}  // namespace
}  // namespace i2kit
