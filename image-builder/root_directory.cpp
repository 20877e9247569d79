#include "image-builder/root_directory.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>

#include <algorithm>
#include <memory>

#include "common/sys_error.h"

namespace i2kit {

Result<std::string> NormalizeEntryPath(std::string_view name) {
  if (name.starts_with('/')) return Status::Error("absolute path refused");
  std::string normalized;
  while (!name.empty()) {
    size_t slash = name.find('/');
    std::string_view component = name.substr(0, slash);
    name = slash == std::string_view::npos ? std::string_view() : name.substr(slash + 1);
    if (component.empty() || component == ".") continue;
    if (component == "..") return Status::Error("\"..\" component refused");
    if (!normalized.empty()) normalized += '/';
    normalized += component;
  }
  return normalized;
}

std::pair<std::string_view, std::string_view> SplitParent(std::string_view path) {
  size_t slash = path.rfind('/');
  if (slash == std::string_view::npos) return {std::string_view(), path};
  return {path.substr(0, slash), path.substr(slash + 1)};
}

Result<RootDirectory> RootDirectory::Open(const std::filesystem::path& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return SysError("open", dir.string());
  return RootDirectory(UniqueFd(fd));
}

Result<UniqueFd> OpenChildDirectory(int dir_fd, const std::string& name, std::string_view path) {
  int fd = ::openat(dir_fd, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd >= 0) return UniqueFd(fd);
  int err = errno;
  struct stat st {};
  if ((err == ELOOP || err == ENOTDIR) &&
      ::fstatat(dir_fd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0) {
    return Status::Error("\"" + std::string(path) + "\" is " +
                         (S_ISLNK(st.st_mode) ? "a symlink" : "not a directory") +
                         ": refusing to follow it");
  }
  return SysError("openat", path, err);
}

Result<UniqueFd> RootDirectory::OpenDirectory(std::string_view path, Missing missing) const {
  int dup = ::fcntl(fd_.get(), F_DUPFD_CLOEXEC, 0);
  if (dup < 0) return SysError("fcntl(F_DUPFD_CLOEXEC)", "/");
  UniqueFd current(dup);
  size_t end = 0;
  while (end < path.size()) {
    size_t next = path.find('/', end);
    if (next == std::string_view::npos) next = path.size();
    std::string name(path.substr(end, next - end));
    std::string_view walked = path.substr(0, next);
    end = next + 1;
    if (missing == Missing::kCreate && ::mkdirat(current.get(), name.c_str(), 0755) == 0) {
      // Exactly 0755 whatever the umask; the entry that names this directory, if one comes,
      // sets its real mode.
      if (::fchmodat(current.get(), name.c_str(), 0755, 0) != 0)
        return SysError("fchmodat", walked);
    } else if (missing == Missing::kCreate && errno != EEXIST) {
      return SysError("mkdirat", walked);
    }
    if (missing == Missing::kReturnInvalid) {
      struct stat st {};
      if (::fstatat(current.get(), name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0 &&
          errno == ENOENT) {
        return UniqueFd();
      }
    }
    Result<UniqueFd> child = OpenChildDirectory(current.get(), name, walked);
    if (!child.ok()) return child.status();
    current = std::move(child).value();
  }
  return current;
}

Result<std::vector<std::string>> ListDirectory(int dir_fd, std::string_view path) {
  // fdopendir takes ownership of its descriptor, so hand it a duplicate.
  int dup = ::fcntl(dir_fd, F_DUPFD_CLOEXEC, 0);
  if (dup < 0) return SysError("fcntl(F_DUPFD_CLOEXEC)", path);
  std::unique_ptr<DIR, int (*)(DIR*)> dir(::fdopendir(dup), ::closedir);
  if (dir == nullptr) {
    int err = errno;
    ::close(dup);
    return SysError("fdopendir", path, err);
  }
  std::vector<std::string> names;
  errno = 0;
  while (const dirent* entry = ::readdir(dir.get())) {
    std::string_view name = entry->d_name;
    if (name != "." && name != "..") names.emplace_back(name);
    errno = 0;
  }
  if (errno != 0) return SysError("readdir", path);
  std::sort(names.begin(), names.end());
  return names;
}

Status RemoveTreeAt(int dir_fd, const std::string& name, std::string_view path) {
  if (::unlinkat(dir_fd, name.c_str(), 0) == 0 || errno == ENOENT) return Status::Ok();
  if (errno != EISDIR) return SysError("unlinkat", path);
  Result<UniqueFd> dir = OpenChildDirectory(dir_fd, name, path);
  if (!dir.ok()) return dir.status();
  Result<std::vector<std::string>> children = ListDirectory(dir->get(), path);
  if (!children.ok()) return children.status();
  for (const std::string& child : *children) {
    Status removed = RemoveTreeAt(dir->get(), child, std::string(path) + "/" + child);
    if (!removed.ok()) return removed;
  }
  if (::unlinkat(dir_fd, name.c_str(), AT_REMOVEDIR) != 0) return SysError("unlinkat", path);
  return Status::Ok();
}

}  // namespace i2kit
