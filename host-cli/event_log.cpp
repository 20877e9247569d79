#include "host-cli/event_log.h"

#include <unistd.h>

#include <cstdio>
#include <iostream>

namespace i2kit {

void EventLog::Event(std::string_view line) {
  ClearProgress();
  out_ << line << '\n' << std::flush;
}

void EventLog::Progress(std::string_view line) {
  if (!terminal_) return;
  // \r and "erase to end of line": the status line is rewritten in place.
  out_ << "\r\033[K" << line << std::flush;
  progress_shown_ = true;
}

void EventLog::Error(std::string_view message) {
  ClearProgress();
  out_ << "error: " << message << '\n' << std::flush;
}

void EventLog::ClearProgress() {
  if (!progress_shown_) return;
  out_ << "\r\033[K";
  progress_shown_ = false;
}

bool IsTerminal(const std::ostream& stream) {
  if (&stream == &std::cout) return ::isatty(STDOUT_FILENO) == 1;
  if (&stream == &std::cerr) return ::isatty(STDERR_FILENO) == 1;
  return false;
}

std::string FormatSeconds(std::chrono::milliseconds duration) {
  long long tenths = (duration.count() + 50) / 100;
  char text[32];
  if (tenths >= 100 || tenths % 10 == 0) {
    std::snprintf(text, sizeof text, "%lld s", (tenths + 5) / 10);
  } else {
    std::snprintf(text, sizeof text, "%lld.%lld s", tenths / 10, tenths % 10);
  }
  return text;
}

}  // namespace i2kit
