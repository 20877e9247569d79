// Runs an external tool (mkfs.erofs, fsck.erofs, …) the safe way: an argv vector, no shell, so
// no file name is ever parsed as shell syntax; stdin is /dev/null and output is captured.
#pragma once

#include <string>
#include <vector>

#include "common/status.h"

namespace i2kit {

struct ToolOutput {
  std::string out;  // what the tool wrote on stdout (at most the first 1 MiB)
  std::string err;  // what it wrote on stderr (at most the first 1 MiB)
};

// Runs argv[0], looked up in PATH, with `argv` and the caller's environment, and waits for it.
// Fails when it cannot be started or does not exit with status 0; the error then names the
// tool, says how it ended and carries the end of its stderr.
Result<ToolOutput> RunTool(const std::vector<std::string>& argv);
// The same, with the file `stdin_path` as the tool's stdin (sfdisk reads its script there).
Result<ToolOutput> RunTool(const std::vector<std::string>& argv, const std::string& stdin_path);

}  // namespace i2kit
