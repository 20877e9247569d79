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

std::string TakeLines(std::string& carry, std::string_view text, bool all) {
  carry += text;
  size_t end = all ? carry.size() : carry.rfind('\n') + 1;  // npos + 1 == 0: no whole line
  std::string lines = carry.substr(0, end);
  carry.erase(0, end);
  if (!lines.empty() && lines.back() != '\n') lines += '\n';
  return lines;
}

std::string ShowLines(std::string_view lines, std::string_view prefix) {
  std::string shown;
  while (!lines.empty()) {
    size_t end = lines.find('\n');
    std::string_view line = lines.substr(0, end);
    lines.remove_prefix(end == std::string_view::npos ? lines.size() : end + 1);
    shown.append(prefix).append(WithoutConsoleTime(line)).append("\n");
  }
  return shown;
}

std::vector<ConsoleLine> DatedLines(std::string_view lines, std::optional<WallTime>& last) {
  std::vector<ConsoleLine> dated;
  size_t undated = 0;  // leading lines with no time before them
  while (!lines.empty()) {
    size_t end = lines.find('\n');
    std::string_view line = lines.substr(0, end);
    lines.remove_prefix(end == std::string_view::npos ? lines.size() : end + 1);
    ConsoleLine entry;
    if (std::optional<WallTime> own = ConsoleTimeOf(line)) {
      entry = {*own, true, std::string(line.substr(kConsoleTimeLength))};
      if (!last) {
        for (size_t i = 0; i < undated; ++i) dated[i].time = *own;
      }
      last = *own;
    } else {
      entry = {last.value_or(WallTime{}), false, std::string(line)};
      if (!last) ++undated;
    }
    dated.push_back(std::move(entry));
  }
  return dated;
}

std::optional<std::string_view> ContainerText(std::string_view line, std::string_view container) {
  if (!line.starts_with(container)) return std::nullopt;
  std::string_view rest = line.substr(container.size());
  for (std::string_view stream : {": ", "/stderr: "}) {
    if (rest.starts_with(stream)) return rest.substr(stream.size());
  }
  return std::nullopt;
}

}  // namespace i2kit
