#include "image-builder/run_tool.h"

#include <gtest/gtest.h>

namespace i2kit {
namespace {

TEST(RunToolTest, CapturesStdoutOfASuccessfulTool) {
  Result<ToolOutput> run = RunTool({"echo", "hello"});
  ASSERT_TRUE(run.ok()) << run.status().message();
  EXPECT_EQ(run->out, "hello\n");
}

TEST(RunToolTest, PassesArgumentsWithoutAShell) {
  Result<ToolOutput> run = RunTool({"echo", "$(id) `id` ; *"});
  ASSERT_TRUE(run.ok()) << run.status().message();
  EXPECT_EQ(run->out, "$(id) `id` ; *\n");
}

TEST(RunToolTest, FailureNamesTheToolItsStatusAndItsStderr) {
  Result<ToolOutput> run = RunTool({"sh", "-c", "echo broken >&2; exit 3"});
  ASSERT_FALSE(run.ok());
  EXPECT_EQ(run.status().message(), "sh exited with status 3: broken");
}

TEST(RunToolTest, AMissingToolIsAnError) {
  Result<ToolOutput> run = RunTool({"i2kit-no-such-tool"});
  ASSERT_FALSE(run.ok());
  // ENOENT, or EACCES when some directory in PATH cannot be searched.
  EXPECT_NE(run.status().message().find("posix_spawnp(\"i2kit-no-such-tool\") failed: E"),
            std::string::npos)
      << run.status().message();
}

}  // namespace
}  // namespace i2kit
