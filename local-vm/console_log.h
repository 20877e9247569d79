// Reading a replica's console log, the serial console QEMU writes to a file: whole, its last
// lines, or followed as it grows. The kernel's serial driver ends lines with CRLF; readers here
// drop the CRs.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/console_time.h"
#include "common/status.h"
#include "common/unique_fd.h"

namespace i2kit {

// `text` without carriage returns.
std::string DropCarriageReturns(std::string_view text);

// The last `count` lines of `text` (a final line without '\n' counts).
std::vector<std::string> LastLines(std::string_view text, size_t count);

// Appends `text` to `carry` and takes out its whole lines; what follows the last newline stays
// in `carry` for the next call, unless `all`: then it is a line too.
std::string TakeLines(std::string& carry, std::string_view text, bool all);

// Whole lines as a person reads them: each without the time the agent logged it at
// (common/console_time.h) and after `prefix` — for consoles shown together, "web/1 | ...".
std::string ShowLines(std::string_view lines, std::string_view prefix);

// One console line, its time taken off: its own, or for a line without one (the kernel's) the
// one of the line before it (or, before the first timed line, of that line), so that ordering
// lines by time keeps each where it was. No time at all (a console with no timed line) is
// WallTime{}.
struct ConsoleLine {
  WallTime time;
  bool own_time = false;
  std::string text;
};
// The whole lines of `lines` (a last one without its newline counts). `last` is the time of the
// line before them, for a console read piece by piece; it becomes that of their last.
std::vector<ConsoleLine> DatedLines(std::string_view lines, std::optional<WallTime>& last);

// What container `container` wrote in a console line (without the time), if that line is its:
// the agent forwards the output as "NAME: text" and "NAME/stderr: text"
// (guest-agent/log_buffer.h). Other lines (the kernel's, the agent's, other containers') are not.
std::optional<std::string_view> ContainerText(std::string_view line, std::string_view container);

// The file's last `max_bytes` bytes (all of it if smaller), CRs dropped.
Result<std::string> ReadLogTail(const std::string& path, size_t max_bytes);

// Follows a file that grows: each ReadNew() returns what was appended since the last call
// (from the start of the file the first time), CRs dropped. A file not yet created reads as
// empty; a file emptied in place (a rotated console) is read again from its start.
class LogFollower {
 public:
  explicit LogFollower(std::string path) : path_(std::move(path)) {}
  Result<std::string> ReadNew();

 private:
  std::string path_;
  UniqueFd fd_;
};

}  // namespace i2kit
