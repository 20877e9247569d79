// The reporter travels in the Pod VM image, which carries no C library for it: it must be a
// static executable, and its size is watched (OpenSSL is most of it).
#include <gtest/gtest.h>

#include <filesystem>

#include "static_executable.h"

namespace i2kit {
namespace {

TEST(StaticBinary, TheReporterIsStaticAndUnderSixMebibytes) {
#ifdef I2KIT_SANITIZED
  GTEST_SKIP() << "sanitizer builds link the reporter dynamically";
#endif
  EXPECT_TRUE(testing::IsStaticExecutable(I2KIT_EC2_REPORTER));
  std::error_code error;
  uintmax_t size = std::filesystem::file_size(I2KIT_EC2_REPORTER, error);
  ASSERT_FALSE(error) << error.message();
  EXPECT_LT(size, 6u << 20) << "i2kit-ec2-reporter is " << size << " bytes";
}

}  // namespace
}  // namespace i2kit
