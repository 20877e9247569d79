#include "common/async_console_log.h"

#include <gtest/gtest.h>

#include <chrono>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "common/console_time.h"

namespace i2kit {
namespace {

using Clock = std::chrono::steady_clock;

// What a console was given, line by line, from the logger's thread.
struct Written {
  std::mutex mu;
  std::vector<std::string> lines;
  std::vector<std::optional<WallTime>> times;
  // Kept without the time each line starts with, which is kept apart.
  void Add(std::string_view line) {
    std::lock_guard lock(mu);
    lines.emplace_back(WithoutConsoleTime(line));
    times.push_back(ConsoleTimeOf(line));
  }
};

TEST(AsyncConsoleLogTest, NeverWaitsForAConsoleThatTakesLongPerLine) {
  Written written;
  AsyncConsoleLogOptions options;
  options.queue_lines = 16;
  options.write = [&](std::string_view line) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    written.Add(line);
  };
  uint64_t dropped = 0;
  Clock::duration took{};
  {
    AsyncConsoleLog log(options);
    Clock::time_point start = Clock::now();
    for (int i = 0; i < 500; ++i) log.Log(LogLevel::kInfo, "web: line " + std::to_string(i));
    took = Clock::now() - start;
    dropped = log.dropped();
  }  // written out to the end here
  // 500 lines at 20 ms each would take 10 s; the caller waited for none of them.
  EXPECT_LT(took, std::chrono::milliseconds(200));
  EXPECT_GE(dropped, 500u - 16u - 2u);
  // The newest lines survive, and the writer said how many were dropped before them.
  ASSERT_FALSE(written.lines.empty());
  EXPECT_EQ(written.lines.back(), "web: line 499");
  uint64_t said = 0;
  for (const std::string& line : written.lines) {
    unsigned long long n = 0;
    if (std::sscanf(line.c_str(), "i2kit-agent: %llu lines dropped (console too slow)", &n) == 1) {
      said += n;
    }
  }
  EXPECT_EQ(said, dropped);
}

TEST(AsyncConsoleLogTest, WritesOnlyLinesAtOrAboveItsLevel) {
  Written written;
  AsyncConsoleLogOptions options;
  options.level = LogLevel::kWarn;
  options.write = [&](std::string_view line) { written.Add(line); };
  {
    AsyncConsoleLog log(options);
    log.Log(LogLevel::kDebug, "debug");
    log.Log(LogLevel::kInfo, "info");
    log.Log(LogLevel::kWarn, "warn");
    log.Log(LogLevel::kError, "error");
  }
  EXPECT_EQ(written.lines, (std::vector<std::string>{"warn", "error"}));
}

TEST(AsyncConsoleLogTest, EachLineStartsWithTheTimeItWasLogged) {
  Written written;
  AsyncConsoleLogOptions options;
  options.write = [&](std::string_view line) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));  // written well after logged
    written.Add(line);
  };
  WallTime before = std::chrono::system_clock::now();
  WallTime logged_second;
  {
    AsyncConsoleLog log(options);
    log.Log(LogLevel::kInfo, "first");
    std::this_thread::sleep_for(std::chrono::milliseconds(30));
    logged_second = std::chrono::system_clock::now();
    log.Log(LogLevel::kInfo, "second");
  }
  ASSERT_EQ(written.lines, (std::vector<std::string>{"first", "second"}));
  ASSERT_TRUE(written.times[0] && written.times[1]);
  using std::chrono::milliseconds;
  // Milliseconds: a time may read up to 1 ms before the clock did.
  EXPECT_GE(*written.times[0], before - milliseconds(1));
  EXPECT_LT(*written.times[0], before + milliseconds(30));
  EXPECT_GE(*written.times[1], *written.times[0] + milliseconds(29));
  EXPECT_LE(*written.times[1], logged_second + milliseconds(1));
}

TEST(AsyncConsoleLogTest, ParsesTheLevelsOfTheKernelCommandLine) {
  EXPECT_EQ(ParseLogLevel("debug"), LogLevel::kDebug);
  EXPECT_EQ(ParseLogLevel("warn"), LogLevel::kWarn);
  EXPECT_EQ(ParseLogLevel("off"), LogLevel::kOff);
  EXPECT_EQ(ParseLogLevel("WARN"), std::nullopt);
  EXPECT_EQ(ParseLogLevel(""), std::nullopt);
}

TEST(AsyncConsoleLogTest, EscapesEveryControlByteButTab) {
  EXPECT_EQ(EscapeControlBytes("plain\ttext é"), "plain\ttext é");
  EXPECT_EQ(EscapeControlBytes("x\ri2kit-agent: pod ready"), "x\\ri2kit-agent: pod ready");
  EXPECT_EQ(EscapeControlBytes("\x1b[2K\x1b[1Gfake"), "\\e[2K\\e[1Gfake");
  EXPECT_EQ(EscapeControlBytes(std::string("a\0b\x7f\n", 5)), "a\\x00b\\x7f\\n");
}

}  // namespace
}  // namespace i2kit
