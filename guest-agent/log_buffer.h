// The recent output of every container, as lines prefixed with the container's name, kept
// within a fixed number of bytes: the oldest lines go first, and the count of dropped lines
// is kept so that a reader knows output is missing. Every stored line has a sequence number
// (0, 1, 2, … in storing order), so that a reader that polls (the EC2 reporter) fetches only
// what is new and knows exactly how many lines it missed. Control bytes in a line are escaped
// (common/async_console_log.h), so that no line can forge another or steer a terminal.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "common/log_level.h"

namespace i2kit {

class LogBuffer {
 public:
  // `capacity_bytes` bounds the stored text; a line longer than `max_line` is cut there.
  explicit LogBuffer(size_t capacity_bytes = 256 * 1024, size_t max_line = 4096);

  // Adds raw output `data` of `source` ("web" or "web/stderr"); complete lines are stored as
  // "source: text" and returned so the caller can echo them to the console. A partial last
  // line waits for its end (or for Flush). A complete line is kept only when `admit` (if
  // given) says so: the per-container rate limit. `level` is kept with each line: the agent's
  // own events have theirs, container output is info.
  std::vector<std::string> Append(const std::string& source, std::string_view data,
                                  const std::function<bool()>& admit = {},
                                  LogLevel level = LogLevel::kInfo);
  // Stores whatever partial line `source` has pending (its pipe closed).
  std::vector<std::string> Flush(const std::string& source);

  // The stored lines of `source` (all sources when empty), oldest first, at most `limit`.
  std::vector<std::string> Lines(const std::string& source = {}, size_t limit = SIZE_MAX) const;
  size_t dropped_lines() const { return dropped_; }

  struct SequencedLine {
    uint64_t sequence = 0;
    std::string source;  // "web" or "web/stderr"
    std::string text;    // without the "source: " prefix
    LogLevel level = LogLevel::kInfo;
  };
  // The stored lines numbered `from` or later, oldest first, at most `limit`.
  std::vector<SequencedLine> LinesFrom(uint64_t from, size_t limit) const;
  // The number of the oldest line still stored (== next_sequence() when none is).
  uint64_t first_sequence() const { return next_sequence_ - entries_.size(); }
  // The number the next stored line will get: how many lines were ever stored.
  uint64_t next_sequence() const { return next_sequence_; }
  size_t size_bytes() const { return bytes_; }

 private:
  struct Entry {
    std::string source;
    std::string line;  // already prefixed
    LogLevel level = LogLevel::kInfo;
  };
  void Store(const std::string& source, std::string text, LogLevel level,
             std::vector<std::string>& out);

  size_t capacity_;
  size_t max_line_;
  size_t bytes_ = 0;
  size_t dropped_ = 0;
  uint64_t next_sequence_ = 0;
  std::deque<Entry> entries_;
  std::map<std::string, std::string> partial_;
};

}  // namespace i2kit
