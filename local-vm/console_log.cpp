#include "local-vm/console_log.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>

#include "common/sys_error.h"

namespace i2kit {

std::string DropCarriageReturns(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  std::copy_if(text.begin(), text.end(), std::back_inserter(out), [](char c) { return c != '\r'; });
  return out;
}

std::vector<std::string> LastLines(std::string_view text, size_t count) {
  if (!text.empty() && text.back() == '\n') text.remove_suffix(1);
  std::vector<std::string> lines;
  while (!text.empty() && lines.size() < count) {
    size_t newline = text.rfind('\n');
    size_t start = newline == std::string_view::npos ? 0 : newline + 1;
    lines.emplace_back(text.substr(start));
    text = newline == std::string_view::npos ? std::string_view() : text.substr(0, newline);
  }
  std::reverse(lines.begin(), lines.end());
  return lines;
}

Result<std::string> ReadLogTail(const std::string& path, size_t max_bytes) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) return SysError("open", path);
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) return SysError("fstat", path);
  off_t start = std::max<off_t>(0, st.st_size - static_cast<off_t>(max_bytes));
  std::string text;
  char chunk[65536];
  for (off_t offset = start;;) {
    ssize_t n = ::pread(fd.get(), chunk, sizeof chunk, offset);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return SysError("read", path);
    if (n == 0) break;
    text.append(chunk, static_cast<size_t>(n));
    offset += n;
  }
  return DropCarriageReturns(text);
}

Result<std::string> LogFollower::ReadNew() {
  if (!fd_.valid()) {
    fd_.reset(::open(path_.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd_.valid()) {
      if (errno == ENOENT) return std::string();
      return SysError("open", path_);
    }
  }
  // Emptied in place by RotateAppendedFile (rotating_log.h): start again from its start.
  struct stat st {};
  if (::fstat(fd_.get(), &st) == 0 && st.st_size < ::lseek(fd_.get(), 0, SEEK_CUR)) {
    ::lseek(fd_.get(), 0, SEEK_SET);
  }
  std::string text;
  char chunk[65536];
  for (;;) {
    ssize_t n = ::read(fd_.get(), chunk, sizeof chunk);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return SysError("read", path_);
    if (n == 0) break;
    text.append(chunk, static_cast<size_t>(n));
  }
  return DropCarriageReturns(text);
}

std::string TakeLines(std::string& carry, std::string_view text, std::string_view prefix,
                      bool all) {
  carry += text;
  std::string lines;
  size_t start = 0, newline;
  while ((newline = carry.find('\n', start)) != std::string::npos) {
    lines.append(prefix).append(carry, start, newline + 1 - start);
    start = newline + 1;
  }
  carry.erase(0, start);
  if (all && !carry.empty()) {
    lines.append(prefix).append(carry).append("\n");
    carry.clear();
  }
  return lines;
}

std::string ContainerOutput(std::string_view lines, std::string_view container) {
  std::string out = std::string(container) + ": ";
  std::string err = std::string(container) + "/stderr: ";
  std::string kept;
  while (!lines.empty()) {
    size_t end = lines.find('\n');
    std::string_view line = lines.substr(0, end);
    lines.remove_prefix(end == std::string_view::npos ? lines.size() : end + 1);
    for (const std::string& prefix : {out, err}) {
      if (line.starts_with(prefix)) {
        kept.append(line.substr(prefix.size()));
        kept += '\n';
        break;
      }
    }
  }
  return kept;
}

}  // namespace i2kit
