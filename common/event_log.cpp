#include "common/event_log.h"

#include <unistd.h>

#include <cstdio>
#include <iostream>

namespace i2kit {
namespace {

LogLevel host_log_level = LogLevel::kInfo;

}  // namespace

void SetHostLogLevel(LogLevel level) {
  host_log_level = level;
}

LogLevel HostLogLevel() {
  return host_log_level;
}

void EventLog::Event(std::string_view line) {
  if (host_log_level > LogLevel::kInfo) return;
  ClearProgress();
  out_ << line << '\n' << std::flush;
}

void EventLog::Debug(std::string_view line) {
  if (host_log_level > LogLevel::kDebug) return;
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
  if (host_log_level > LogLevel::kError) return;
  ClearProgress();
  out_ << "error: " << message << '\n' << std::flush;
}

void EventLog::ClearProgress() {
  if (!progress_shown_) return;
  out_ << "\r\033[K";
  progress_shown_ = false;
}

StepProgress::StepProgress(EventLog& log, bool terminal) : log_(log), terminal_(terminal) {
  if (!terminal_) return;
  ticker_ = std::thread([this] {
    std::unique_lock lock(mutex_);
    while (!done_) {
      Draw();
      wake_.wait_for(lock, std::chrono::milliseconds(250));
    }
  });
}

StepProgress::~StepProgress() {
  {
    std::lock_guard lock(mutex_);
    done_ = true;
  }
  wake_.notify_all();
  if (ticker_.joinable()) ticker_.join();
  log_.ClearProgress();
}

void StepProgress::Step(std::string line) {
  std::lock_guard lock(mutex_);
  step_ = std::move(line);
  since_ = std::chrono::steady_clock::now();
  if (terminal_) {
    Draw();
  } else {
    log_.Event(step_);
  }
}

void StepProgress::Event(std::string_view line) {
  std::lock_guard lock(mutex_);
  log_.Event(line);
  if (terminal_) Draw();
}

void StepProgress::Draw() {
  if (step_.empty()) return;
  auto took = std::chrono::steady_clock::now() - since_;
  log_.Progress(step_ + " " +
                FormatSeconds(std::chrono::duration_cast<std::chrono::milliseconds>(took)));
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

std::string FormatMebibytes(uint64_t bytes) {
  char text[32];
  std::snprintf(text, sizeof text, "%.1f MiB", static_cast<double>(bytes) / (1024 * 1024));
  return text;
}

}  // namespace i2kit
