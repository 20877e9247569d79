// The few directory operations the agent needs (make, list, copy, remove a tree), on plain
// POSIX calls. Not std::filesystem: in a static binary it pulls in libstdc++'s locale and
// iostream machinery, about 0.6 MB of the agent that every initrd carries and every guest
// keeps in RAM.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include "common/status.h"

namespace i2kit {

// mkdir -p: `path` and its missing parents, with `mode`; an existing directory is fine.
Status MakeDirectories(const std::string& path, mode_t mode = 0755);

// The names in a directory, without "." and "..", in no particular order.
Result<std::vector<std::string>> ListDirectory(const std::string& path);

// Copies `from` to `to`: a directory with everything below it, regular files with their
// contents and permission bits, symlinks as symlinks. Other file types are refused.
Status CopyTree(const std::string& from, const std::string& to);

// Removes `path` and everything below it, not following symlinks; a missing path is fine.
Status RemoveTree(const std::string& path);

}  // namespace i2kit
