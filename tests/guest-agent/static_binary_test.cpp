// The agent is the Pod VM's /init, in an initrd that carries no C library for it: it must be a
// static executable, and its size is watched (it travels in every initrd, kernel + initrd
// ≤ 8 MiB, and all of it stays in the guest's RAM).
#include <gtest/gtest.h>

#include <filesystem>

#include "static_executable.h"

namespace i2kit {
namespace {

TEST(StaticBinary, TheAgentIsStaticAndUnderTwoMebibytes) {
#ifndef I2KIT_AGENT
  GTEST_SKIP() << "sanitizer builds do not link the agent: their runtimes cannot be static";
#else
  EXPECT_TRUE(testing::IsStaticExecutable(I2KIT_AGENT));
  std::error_code error;
  uintmax_t size = std::filesystem::file_size(I2KIT_AGENT, error);
  ASSERT_FALSE(error) << error.message();
  EXPECT_LT(size, 2u << 20) << "i2kit-agent is " << size << " bytes";
#endif
}

}  // namespace
}  // namespace i2kit
