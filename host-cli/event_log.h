// What a verb tells its operator while it works: one line per event, key facts first
// ("web/0 ready in 2.3 s ports=..."); on a terminal also a status line redrawn in place while
// waiting ("web/0 booting 4 s"), which the next event line replaces. Plain lines otherwise.
#pragma once

#include <chrono>
#include <iosfwd>
#include <string>
#include <string_view>

namespace i2kit {

class EventLog {
 public:
  EventLog(std::ostream& out, bool terminal) : out_(out), terminal_(terminal) {}

  // One line for the record.
  void Event(std::string_view line);
  // A transient status line: drawn on a terminal only, replaced by the next call.
  void Progress(std::string_view line);
  // An error line: "error: " and the message.
  void Error(std::string_view message);

 private:
  void ClearProgress();
  std::ostream& out_;
  bool terminal_;
  bool progress_shown_ = false;
};

// Whether `stream` is std::cout or std::cerr and that descriptor is a terminal.
bool IsTerminal(const std::ostream& stream);

// "0.4 s", "2.3 s", "61 s": a duration as an operator reads it.
std::string FormatSeconds(std::chrono::milliseconds duration);

}  // namespace i2kit
