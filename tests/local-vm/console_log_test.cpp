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

}  // namespace
}  // namespace i2kit
