// What a verb tells its operator while it works: one line per event, key facts first
// ("web/0 ready in 2.3 s ports=..."); on a terminal also a status line redrawn in place while
// waiting ("web/0 booting 4 s"), which the next event line replaces. Plain lines otherwise.
// The process's host log level (-v, --log-level, I2KIT_LOG_LEVEL) filters the lines: Debug at
// debug only, Event at info or below, Error unless off; the status line is never filtered.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <iosfwd>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>

#include "common/log_level.h"

namespace i2kit {

// The level of every EventLog of this process (a detached controller inherits it); kInfo
// until set.
void SetHostLogLevel(LogLevel level);
LogLevel HostLogLevel();

class EventLog {
 public:
  EventLog(std::ostream& out, bool terminal) : out_(out), terminal_(terminal) {}

  // One line for the record.
  void Event(std::string_view line);
  // A line for whoever looks closer (-v): what was checked, what was run.
  void Debug(std::string_view line);
  // A transient status line: drawn on a terminal only, replaced by the next call.
  void Progress(std::string_view line);
  // An error line: "error: " and the message.
  void Error(std::string_view message);
  // Erases the status line, if one is shown.
  void ClearProgress();

 private:
  std::ostream& out_;
  bool terminal_;
  bool progress_shown_ = false;
};

// For steps that block (flattening an image, packing a disk): on a terminal, a thread redraws
// "STEP 3.2 s" every quarter second until the next step or the end, so a long step shows it
// is alive; otherwise each step is one plain line. Events may come from the worker meanwhile.
class StepProgress {
 public:
  explicit StepProgress(EventLog& log, bool terminal);
  ~StepProgress();  // clears the status line
  StepProgress(const StepProgress&) = delete;
  StepProgress& operator=(const StepProgress&) = delete;

  void Step(std::string line);
  void Event(std::string_view line);

 private:
  void Draw();  // with mutex_ held
  EventLog& log_;
  bool terminal_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool done_ = false;
  std::string step_;
  std::chrono::steady_clock::time_point since_;
  std::thread ticker_;
};

// Whether `stream` is std::cout or std::cerr and that descriptor is a terminal.
bool IsTerminal(const std::ostream& stream);

// "0.4 s", "2.3 s", "61 s": a duration as an operator reads it.
std::string FormatSeconds(std::chrono::milliseconds duration);

// "12.5 MiB": a size as an operator reads it.
std::string FormatMebibytes(uint64_t bytes);

}  // namespace i2kit
