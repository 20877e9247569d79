// What a verb tells its operator: event lines, the status line on a terminal, the steps of a
// long wait, and the host log level that filters them.
#include "common/event_log.h"

#include <gtest/gtest.h>

#include <chrono>
#include <sstream>
#include <string>
#include <thread>

namespace i2kit {
namespace {

using std::chrono::milliseconds;

TEST(EventLogTest, DurationsReadAsOperatorsSayThem) {
  EXPECT_EQ(FormatSeconds(milliseconds(430)), "0.4 s");
  EXPECT_EQ(FormatSeconds(milliseconds(2260)), "2.3 s");
  EXPECT_EQ(FormatSeconds(milliseconds(1960)), "2 s");
  EXPECT_EQ(FormatSeconds(milliseconds(8000)), "8 s");
  EXPECT_EQ(FormatSeconds(milliseconds(61400)), "61 s");
}

TEST(EventLogTest, SizesReadInMebibytes) {
  EXPECT_EQ(FormatMebibytes(0), "0.0 MiB");
  EXPECT_EQ(FormatMebibytes(512 * 1024), "0.5 MiB");
  EXPECT_EQ(FormatMebibytes(3 * 1024 * 1024 + 200 * 1024), "3.2 MiB");
}

TEST(EventLogTest, ProgressLinesOnlyOnATerminal) {
  std::ostringstream plain, tty;
  EventLog plain_log(plain, false), tty_log(tty, true);
  for (EventLog* log : {&plain_log, &tty_log}) {
    log->Progress("web/0 booting 1 s");
    log->Event("web/0 ready in 2 s");
  }
  EXPECT_EQ(plain.str(), "web/0 ready in 2 s\n");
  EXPECT_EQ(tty.str(), "\r\033[Kweb/0 booting 1 s\r\033[Kweb/0 ready in 2 s\n");
}

TEST(EventLogTest, StepsArePlainLinesOffATerminal) {
  std::ostringstream out;
  EventLog log(out, false);
  {
    StepProgress steps(log, false);
    steps.Step("web: flattening");
    steps.Event("web: warning: skipped dev/sda");
    steps.Step("web: packing");
  }
  EXPECT_EQ(out.str(), "web: flattening\nweb: warning: skipped dev/sda\nweb: packing\n");
}

TEST(EventLogTest, OnATerminalAStepIsRedrawnWithItsTimeUntilTheEnd) {
  std::ostringstream out;
  EventLog log(out, true);
  {
    StepProgress steps(log, true);
    steps.Step("web: flattening");
    std::this_thread::sleep_for(milliseconds(600));  // two redraws at least
    steps.Event("web: warning: skipped dev/sda");
  }
  std::string text = out.str();
  EXPECT_EQ(text.rfind("\r\033[Kweb: flattening 0 s", 0), 0u) << text;
  // Redrawn meanwhile with the time it has taken.
  EXPECT_NE(text.find("\r\033[Kweb: flattening 0.", 1), std::string::npos) << text;
  EXPECT_NE(text.find("\r\033[Kweb: warning: skipped dev/sda\n"), std::string::npos) << text;
  EXPECT_TRUE(text.ends_with("\r\033[K")) << text;  // the status line erased at the end
}

TEST(EventLogTest, LevelsFilterTheEventLogButNotItsStatusLine) {
  std::ostringstream out;
  EventLog log(out, /*terminal=*/false);
  SetHostLogLevel(LogLevel::kDebug);
  log.Debug("checked");
  log.Event("ready");
  SetHostLogLevel(LogLevel::kWarn);
  log.Debug("checked again");
  log.Event("ready again");
  log.Error("broken");
  SetHostLogLevel(LogLevel::kInfo);
  log.Debug("not shown");
  EXPECT_EQ(out.str(), "checked\nready\nerror: broken\n");
}

}  // namespace
}  // namespace i2kit
