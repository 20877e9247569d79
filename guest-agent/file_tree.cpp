#include "guest-agent/file_tree.h"

#include <dirent.h>
#include <fcntl.h>
#include <ftw.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "common/sys_error.h"

namespace i2kit {
namespace {

Status CopyFile(const std::string& from, const std::string& to, mode_t mode) {
  int in = ::open(from.c_str(), O_RDONLY | O_CLOEXEC);
  if (in < 0) return SysError("open", from);
  int out = ::open(to.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode & 07777);
  if (out < 0) {
    Status error = SysError("create", to);
    ::close(in);
    return error;
  }
  // The umask must not narrow the copy's permission bits.
  Status status = ::fchmod(out, mode & 07777) == 0 ? Status::Ok() : SysError("chmod", to);
  char buffer[16384];
  while (status.ok()) {
    ssize_t n = ::read(in, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      status = SysError("read", from);
      break;
    }
    if (n == 0) break;
    for (ssize_t done = 0; done < n;) {
      ssize_t w = ::write(out, buffer + done, static_cast<size_t>(n - done));
      if (w < 0 && errno == EINTR) continue;
      if (w < 0) {
        status = SysError("write", to);
        break;
      }
      done += w;
    }
    if (!status.ok()) break;
  }
  ::close(in);
  if (::close(out) != 0 && status.ok()) status = SysError("close", to);
  return status;
}

int RemoveEntry(const char* path, const struct stat*, int, FTW*) {
  return ::remove(path) == 0 || errno == ENOENT ? 0 : -1;
}

}  // namespace

Status MakeDirectories(const std::string& path, mode_t mode) {
  for (size_t slash = path.find('/', 1);; slash = path.find('/', slash + 1)) {
    std::string prefix = path.substr(0, slash);
    if (!prefix.empty() && ::mkdir(prefix.c_str(), mode) != 0 && errno != EEXIST) {
      return SysError("mkdir", prefix);
    }
    if (slash == std::string::npos) break;
  }
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) return SysError("stat", path);
  if (!S_ISDIR(st.st_mode)) return Status::Error("mkdir " + path + ": not a directory");
  return Status::Ok();
}

Result<std::vector<std::string>> ListDirectory(const std::string& path) {
  DIR* dir = ::opendir(path.c_str());
  if (dir == nullptr) return SysError("opendir", path);
  std::vector<std::string> names;
  errno = 0;
  while (const dirent* entry = ::readdir(dir)) {
    std::string name = entry->d_name;
    if (name != "." && name != "..") names.push_back(std::move(name));
  }
  Status status = errno != 0 ? SysError("readdir", path) : Status::Ok();
  ::closedir(dir);
  if (!status.ok()) return status;
  return names;
}

Status CopyTree(const std::string& from, const std::string& to) {
  struct stat st;
  if (::lstat(from.c_str(), &st) != 0) return SysError("lstat", from);
  if (S_ISLNK(st.st_mode)) {
    std::string target(static_cast<size_t>(st.st_size) + 1, '\0');
    ssize_t n = ::readlink(from.c_str(), target.data(), target.size());
    if (n < 0) return SysError("readlink", from);
    target.resize(static_cast<size_t>(n));
    if (::symlink(target.c_str(), to.c_str()) != 0) return SysError("symlink", to);
    return Status::Ok();
  }
  if (S_ISREG(st.st_mode)) return CopyFile(from, to, st.st_mode);
  if (!S_ISDIR(st.st_mode)) {
    return Status::Error("copying " + from + ": not a file, directory or symlink");
  }
  if (::mkdir(to.c_str(), st.st_mode & 07777) != 0) return SysError("mkdir", to);
  if (::chmod(to.c_str(), st.st_mode & 07777) != 0) return SysError("chmod", to);
  Result<std::vector<std::string>> names = ListDirectory(from);
  if (!names.ok()) return names.status();
  for (const std::string& name : *names) {
    if (Status s = CopyTree(from + "/" + name, to + "/" + name); !s.ok()) return s;
  }
  return Status::Ok();
}

Status RemoveTree(const std::string& path) {
  struct stat st;
  if (::lstat(path.c_str(), &st) != 0) {
    return errno == ENOENT ? Status::Ok() : SysError("lstat", path);
  }
  if (::nftw(path.c_str(), RemoveEntry, 16, FTW_DEPTH | FTW_PHYS) != 0) {
    return SysError("remove", path);
  }
  return Status::Ok();
}

}  // namespace i2kit
