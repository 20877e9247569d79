// A directory tree that hostile entry names cannot leave. Every lookup walks one component at a
// time with openat(O_NOFOLLOW | O_DIRECTORY) from the root's descriptor, so neither "..", an
// absolute name nor a symlink planted by an earlier entry ("evil -> /") can steer a write
// outside. (openat2's RESOLVE_IN_ROOT would do the lookups, but the walk must create missing
// parents anyway, and this way it behaves the same on every kernel.)
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"
#include "common/unique_fd.h"

namespace i2kit {

// Turns a tar entry name into a path relative to the root: "./", empty and "." components are
// dropped ("" is the root itself). Absolute names and ".." components are refused: no image
// builder writes them, so they mark a broken or hostile layer.
Result<std::string> NormalizeEntryPath(std::string_view name);

// Splits a normalized, non-empty path into its parent ("" for the root) and last component.
std::pair<std::string_view, std::string_view> SplitParent(std::string_view path);

class RootDirectory {
 public:
  // Opens `dir`, an existing directory (it may itself be reached through symlinks).
  static Result<RootDirectory> Open(const std::filesystem::path& dir);

  int fd() const { return fd_.get(); }

  enum class Missing { kCreate, kReturnInvalid };
  // Opens the directory at normalized `path` ("" = the root). A missing component is created
  // (mode 0755) with kCreate, or yields an invalid UniqueFd with kReturnInvalid. A component
  // that is a symlink or not a directory is an error: it is never followed.
  Result<UniqueFd> OpenDirectory(std::string_view path, Missing missing) const;

 private:
  explicit RootDirectory(UniqueFd fd) : fd_(std::move(fd)) {}
  UniqueFd fd_;
};

// Opens the directory `name` in `dir_fd` without following a symlink; `path` names it in errors.
Result<UniqueFd> OpenChildDirectory(int dir_fd, const std::string& name, std::string_view path);

// The names in the directory `dir_fd`, sorted, without "." and "..".
Result<std::vector<std::string>> ListDirectory(int dir_fd, std::string_view path);

// Removes `name` in `dir_fd` and, if it is a directory, everything below it, never following a
// symlink. A missing entry is not an error. `path` names it in errors.
Status RemoveTreeAt(int dir_fd, const std::string& name, std::string_view path);

}  // namespace i2kit
