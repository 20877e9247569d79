#include "common/exec_frames.h"

#include <gtest/gtest.h>

namespace i2kit {
namespace {

TEST(ExecFramesTest, ARequestSurvivesItsLine) {
  ExecRequest request{"k3y", "web", {"sh", "-c", "echo hi"}, true, {"TERM=xterm"}};
  std::string line = EncodeExecRequest(request);
  ASSERT_EQ(line.back(), '\n');
  line.pop_back();
  Result<ExecRequest> decoded = DecodeExecRequest(line);
  ASSERT_TRUE(decoded.ok()) << decoded.status().message();
  EXPECT_EQ(decoded->key, "k3y");
  EXPECT_EQ(decoded->container, "web");
  EXPECT_EQ(decoded->command, request.command);
  EXPECT_TRUE(decoded->tty);
  EXPECT_EQ(decoded->env, request.env);
}

TEST(ExecFramesTest, RefusesARequestWithoutCommandOrKey) {
  EXPECT_FALSE(DecodeExecRequest(R"({"key":"k","container":"web","command":[]})").ok());
  EXPECT_FALSE(DecodeExecRequest(R"({"container":"web","command":["id"]})").ok());
  EXPECT_FALSE(DecodeExecRequest(R"({"key":"k","container":"web","command":[1]})").ok());
  EXPECT_FALSE(DecodeExecRequest("not json").ok());
}

TEST(ExecFramesTest, FramesAreTakenWholeAndInOrder) {
  std::string stream =
      EncodeExecFrame(ExecFrameType::kStdout, "hello") + EncodeExecFrame(ExecFrameType::kExit, "7");
  std::string buffer = stream.substr(0, 7);  // a frame cut in the middle
  Result<std::optional<ExecFrame>> none = TakeExecFrame(buffer);
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->has_value());
  buffer = stream;
  Result<std::optional<ExecFrame>> first = TakeExecFrame(buffer);
  ASSERT_TRUE(first.ok() && first->has_value());
  EXPECT_EQ((*first)->type, ExecFrameType::kStdout);
  EXPECT_EQ((*first)->data, "hello");
  Result<std::optional<ExecFrame>> second = TakeExecFrame(buffer);
  ASSERT_TRUE(second.ok() && second->has_value());
  EXPECT_EQ((*second)->type, ExecFrameType::kExit);
  EXPECT_EQ((*second)->data, "7");
  EXPECT_TRUE(buffer.empty());
}

TEST(ExecFramesTest, RefusesAnUnknownTypeOrAnOversizedFrame) {
  std::string unknown = std::string("\x09\0\0\0\0", 5);
  EXPECT_FALSE(TakeExecFrame(unknown).ok());
  std::string huge = std::string("\x02\x7f\xff\xff\xff", 5);
  EXPECT_FALSE(TakeExecFrame(huge).ok());
}

}  // namespace
}  // namespace i2kit
