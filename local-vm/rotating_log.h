// Files the host keeps within a size: the detached controller's log (written here, through
// spdlog's rotating file sink) and each replica's console (written by QEMU, rotated here).
// PATH grows to `max_bytes`, then becomes PATH's first older file — "web.log" → "web.1.log",
// "web.1.log" → "web.2.log", … — and the oldest beyond `max_files` is deleted.
#pragma once

#include <cstddef>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "common/status.h"

namespace i2kit {

struct RotationLimits {
  size_t max_bytes;
  size_t max_files;  // older files kept beside the current one
};
// The README states both.
inline constexpr RotationLimits kControllerLogLimits{1024 * 1024, 3};
inline constexpr RotationLimits kConsoleLogLimits{1024 * 1024, 2};

// PATH's older files, newest first ("web.1.log", "web.2.log", …).
std::vector<std::string> RotatedPaths(const std::string& path, RotationLimits limits);

// An std::ostream whose lines go to a rotating file, each stamped with the local time
// ("2026-12-07 05:40:01.123 web/0 ready in 2.3 s"). What the controller's EventLog writes.
class RotatingLogStream {
 public:
  static Result<std::unique_ptr<RotatingLogStream>> Open(const std::string& path,
                                                         RotationLimits limits);
  ~RotatingLogStream();  // writes a last line left without its '\n'
  std::ostream& stream();

  struct Impl;
  explicit RotatingLogStream(std::unique_ptr<Impl> impl);

 private:
  std::unique_ptr<Impl> impl_;
};

// For a file another process appends to (QEMU's console, opened with O_APPEND): once it is
// larger than `max_bytes`, its text is copied to its first older file and the file emptied in
// place, so the writer carries on at its start (logrotate's copytruncate: lines written
// between the copy and the truncation are lost). A missing file is fine.
Status RotateAppendedFile(const std::string& path, RotationLimits limits);

}  // namespace i2kit
