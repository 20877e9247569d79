// The time each agent console line starts with: written, read back, and what is not one.
#include "common/console_time.h"

#include <gtest/gtest.h>

namespace i2kit {
namespace {

using std::chrono::milliseconds;

WallTime At(long long millis_since_epoch) {
  return WallTime(milliseconds(millis_since_epoch));
}

TEST(ConsoleTimeTest, ATimeIsWrittenInUtcWithMillisecondsAndReadBack) {
  WallTime t = At(1796651086437);  // 2026-12-07T13:44:46.437Z
  std::string text = FormatConsoleTime(t);
  EXPECT_EQ(text, "2026-12-07T13:44:46.437Z ");
  EXPECT_EQ(text.size(), kConsoleTimeLength);
  EXPECT_EQ(ConsoleTimeOf(text + "web: hello"), t);
  EXPECT_EQ(WithoutConsoleTime(text + "web: hello"), "web: hello");
  EXPECT_EQ(FormatConsoleTime(At(0)), "1970-01-01T00:00:00.000Z ");
}

TEST(ConsoleTimeTest, LinesWithoutATimeAreLeftAsTheyAre) {
  for (std::string_view line :
       {"[    0.512000] Linux version 6.1", "web: 2026-12-07T13:44:46.437Z x", "",
        "2026-12-07T13:44:46Z web: no milliseconds", "2026-12-07T13:44:46.437Zweb: no space",
        "2026-13-07T13:04:46.437Z month 13", "2026-02-30T13:04:46.437Z February 30th"}) {
    EXPECT_EQ(ConsoleTimeOf(line), std::nullopt) << line;
    EXPECT_EQ(WithoutConsoleTime(line), line);
  }
}

TEST(ConsoleTimeTest, UtcTimesAreReadWithAnyFractionOrNone) {
  EXPECT_EQ(ParseUtcTime("2026-12-07T13:44:46Z"), At(1796651086000));
  EXPECT_EQ(ParseUtcTime("2026-12-07T13:44:46.4Z"), At(1796651086400));
  EXPECT_EQ(ParseUtcTime("2026-12-07T13:44:46.437000001Z"),
            At(1796651086437) + std::chrono::nanoseconds(1));
  for (std::string_view bad :
       {"2026-12-07 13:04:46Z", "2026-12-07T13:44:46", "2026-12-07T13:04Z", "2026-12-07T13:44:46.Z",
        "2026-12-07T13:44:46+01:00", "1969-12-31T23:59:59Z", "2026-12-07T24:00:00Z", "yesterday"}) {
    EXPECT_EQ(ParseUtcTime(bad), std::nullopt) << bad;
  }
}

}  // namespace
}  // namespace i2kit
