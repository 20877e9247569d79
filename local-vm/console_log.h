// Reading a replica's console log, the serial console QEMU writes to a file: whole, its last
// lines, or followed as it grows. The kernel's serial driver ends lines with CRLF; readers here
// drop the CRs.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "common/unique_fd.h"

namespace i2kit {

// `text` without carriage returns.
std::string DropCarriageReturns(std::string_view text);

// The last `count` lines of `text` (a final line without '\n' counts).
std::vector<std::string> LastLines(std::string_view text, size_t count);

// Appends `text` to `carry` and takes out its whole lines, each after `prefix`; what follows
// the last newline stays in `carry` for the next call, unless `all`: then it is a line too.
// For consoles shown together, a line per line ("web/1 | ...").
std::string TakeLines(std::string& carry, std::string_view text, std::string_view prefix, bool all);

// What container `container` wrote, out of a console's whole lines: the agent forwards its
// output as "NAME: text" and "NAME/stderr: text" (guest-agent/log_buffer.h); these lines are
// kept without that prefix, every other line (the kernel's, the agent's, other containers')
// is dropped. `lines` holds whole lines (a last one without its newline counts as one).
std::string ContainerOutput(std::string_view lines, std::string_view container);

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
