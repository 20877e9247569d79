// The console log `logs` and `ps` read: what QEMU's serial console wrote, followed as it grows.
#include "local-vm/console_log.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

namespace i2kit {
namespace {

TEST(ConsoleLogTest, CarriageReturnsOfTheSerialConsoleAreDropped) {
  EXPECT_EQ(DropCarriageReturns("a\r\nb\r\n"), "a\nb\n");
}

TEST(ConsoleLogTest, LastLinesCountsAFinalLineWithoutNewline) {
  EXPECT_EQ(LastLines("1\n2\n3\n", 2), (std::vector<std::string>{"2", "3"}));
  EXPECT_EQ(LastLines("1\n2\n3", 2), (std::vector<std::string>{"2", "3"}));
  EXPECT_EQ(LastLines("1\n2\n", 20), (std::vector<std::string>{"1", "2"}));
  EXPECT_TRUE(LastLines("", 20).empty());
}

TEST(ConsoleLogTest, FollowerReturnsOnlyWhatWasAppended) {
  std::string path = ::testing::TempDir() + "i2kit-follow-" + std::to_string(::getpid());
  LogFollower follower(path);
  EXPECT_EQ(follower.ReadNew().value(), "");  // not created yet
  {
    std::ofstream out(path);
    out << "one\r\n";
  }
  EXPECT_EQ(follower.ReadNew().value(), "one\n");
  {
    std::ofstream out(path, std::ios::app);
    out << "two\r\n";
  }
  EXPECT_EQ(follower.ReadNew().value(), "two\n");
  EXPECT_EQ(follower.ReadNew().value(), "");
  EXPECT_EQ(ReadLogTail(path, 5).value(), "two\n");
  std::remove(path.c_str());
}

TEST(ConsoleLogTest, TakeLinesKeepsAPartialLineForTheNextCallUnlessAll) {
  std::string carry;
  EXPECT_EQ(TakeLines(carry, "a\nb", false), "a\n");
  EXPECT_EQ(carry, "b");
  EXPECT_EQ(TakeLines(carry, "c", false), "");
  EXPECT_EQ(TakeLines(carry, "\nd", true), "bc\nd\n");
  EXPECT_EQ(carry, "");
}

TEST(ConsoleLogTest, ShownLinesLoseTheirTimeAndGainThePrefix) {
  EXPECT_EQ(ShowLines("2026-12-07T10:00:01.000Z web: a\n[    0.1] kernel\n", "web/0 | "),
            "web/0 | web: a\nweb/0 | [    0.1] kernel\n");
}

TEST(ConsoleLogTest, UntimedLinesAreDatedByTheTimedLineBeforeThemOrElseAfter) {
  std::optional<WallTime> last;
  std::vector<ConsoleLine> first =
      DatedLines("[ 0.1] k\n2026-12-07T10:00:01.000Z one\n[ 0.2] k\n", last);
  ASSERT_EQ(first.size(), 3u);
  WallTime one = *ParseUtcTime("2026-12-07T10:00:01Z");
  EXPECT_EQ(first[0].time, one);
  EXPECT_FALSE(first[0].own_time);
  EXPECT_EQ(first[1].time, one);
  EXPECT_TRUE(first[1].own_time);
  EXPECT_EQ(first[1].text, "one");
  EXPECT_EQ(first[2].time, one);
  EXPECT_EQ(last, one);
  // Read piece by piece: the next piece's untimed lines take the last time seen.
  std::vector<ConsoleLine> next = DatedLines("[ 0.3] k", last);
  ASSERT_EQ(next.size(), 1u);
  EXPECT_EQ(next[0].time, one);
  EXPECT_EQ(next[0].text, "[ 0.3] k");
  // No time anywhere: the epoch, in order.
  std::optional<WallTime> none;
  EXPECT_EQ(DatedLines("x\ny\n", none)[1].time, WallTime{});
  EXPECT_EQ(none, std::nullopt);
}

TEST(ConsoleLogTest, AContainersTextIsItsOutputAndItsStderr) {
  EXPECT_EQ(ContainerText("web: GET /", "web"), "GET /");
  EXPECT_EQ(ContainerText("web/stderr: slow", "web"), "slow");
  EXPECT_EQ(ContainerText("webby: GET /", "web"), std::nullopt);
  EXPECT_EQ(ContainerText("i2kit-agent: web: GET /", "web"), std::nullopt);
  EXPECT_EQ(ContainerText("web/stdout: x", "web"), std::nullopt);
}

}  // namespace
}  // namespace i2kit
