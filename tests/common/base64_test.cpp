#include "common/base64.h"

#include <gtest/gtest.h>

namespace i2kit {
namespace {

TEST(Base64Test, EncodingPadsAsRfc4648Says) {
  EXPECT_EQ(Base64Encode(""), "");
  EXPECT_EQ(Base64Encode("f"), "Zg==");
  EXPECT_EQ(Base64Encode("fo"), "Zm8=");
  EXPECT_EQ(Base64Encode("foo"), "Zm9v");
  EXPECT_EQ(Base64Encode("foobar"), "Zm9vYmFy");
}

TEST(Base64Test, DecodingGivesBackEveryByte) {
  std::string all;
  for (int i = 0; i < 256; ++i) all += static_cast<char>(i);
  for (size_t n = 0; n <= all.size(); n += 37) {
    std::string bytes = all.substr(0, n);
    EXPECT_EQ(Base64Decode(Base64Encode(bytes)), bytes) << n;
  }
  EXPECT_EQ(Base64Decode("Zm9vYg=="), "foob");
  EXPECT_EQ(Base64Decode("cGFzc3dvcmQ="), "password");
}

TEST(Base64Test, DecodingRefusesWhatIsNotBase64) {
  EXPECT_FALSE(Base64Decode("Zm9"));       // not a multiple of 4
  EXPECT_FALSE(Base64Decode("Zm9v\n"));    // a newline
  EXPECT_FALSE(Base64Decode("Zg==Zm9v"));  // padding in the middle
  EXPECT_FALSE(Base64Decode("Z==="));      // too much padding
  EXPECT_FALSE(Base64Decode("Zm=v"));      // a character after padding
  EXPECT_FALSE(Base64Decode("Zm9-"));      // the URL alphabet
}

}  // namespace
}  // namespace i2kit
