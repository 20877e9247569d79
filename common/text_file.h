// Small whole files (/proc, /sys and /etc files, the Pod spec) read and written with plain
// POSIX calls, and the line and word splitting their contents need. No iostreams: in the
// static agent they pull in libstdc++'s locale machinery, about 0.6 MB of a 2.1 MB binary
// that every initrd carries and every guest keeps in RAM.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace i2kit {

// The file's contents, or an error naming the path and errno.
Result<std::string> ReadFileText(const std::string& path);

// The file's contents; empty when it cannot be read (for callers to whom a missing /proc or
// /etc file means "nothing there").
std::string ReadTextFile(const std::string& path);

// Creates or truncates `path` (mode 0644) and writes `data` whole; the error names the path
// and errno — for a /sys or /proc file, the kernel's refusal of the value comes from write().
Status WriteTextFile(const std::string& path, std::string_view data);

// The lines of `text`, without their '\n' (a last line without one included).
std::vector<std::string_view> SplitLines(std::string_view text);

// The words of `text`, separated by any run of spaces, tabs or newlines.
std::vector<std::string_view> SplitWords(std::string_view text);

}  // namespace i2kit
