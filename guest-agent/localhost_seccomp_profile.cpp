#include "guest-agent/localhost_seccomp_profile.h"

#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string_view>

#include "common/sys_error.h"
#include "common/unique_fd.h"
#include "guest-agent/seccomp_profile.h"

namespace i2kit {
namespace {

// Far above any real profile (Docker's default is ~20 KiB); stops a huge file early.
constexpr off_t kMaxProfileBytes = 1 << 20;

// True when `path` is relative and has no ".." component.
bool IsPlainRelativePath(std::string_view path) {
  if (path.empty() || path.front() == '/') return false;
  while (!path.empty()) {
    size_t slash = path.find('/');
    if (path.substr(0, slash) == "..") return false;
    if (slash == std::string_view::npos) break;
    path.remove_prefix(slash + 1);
  }
  return true;
}

Result<std::string> ReadAll(int fd, const std::string& path) {
  struct stat st {};
  if (::fstat(fd, &st) != 0) return SysError("fstat", path);
  if (!S_ISREG(st.st_mode)) return Status::Error(path + ": not a regular file");
  if (st.st_size > kMaxProfileBytes) {
    return Status::Error(path + ": larger than " + std::to_string(kMaxProfileBytes) + " bytes");
  }
  std::string text(static_cast<size_t>(st.st_size), '\0');
  size_t done = 0;
  while (done < text.size()) {
    ssize_t n = ::read(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return SysError("read", path);
    if (n == 0) break;
    done += static_cast<size_t>(n);
  }
  text.resize(done);
  return text;
}

}  // namespace

Result<nlohmann::ordered_json> LoadLocalhostSeccompProfile(const std::string& profile_root,
                                                           const std::string& relative_path) {
  const std::string path = profile_root + "/" + relative_path;
  if (!IsPlainRelativePath(relative_path)) {
    return Status::Error("seccomp profile '" + relative_path +
                         "': must be a relative path inside " + profile_root + " without '..'");
  }
  UniqueFd root(::open(profile_root.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (!root.valid()) return SysError("open", profile_root);
  // glibc 2.36 has no openat2() wrapper. RESOLVE_BENEATH also refuses absolute symlinks and
  // symlinks whose target climbs out of the root.
  open_how how{};
  how.flags = O_RDONLY | O_CLOEXEC | O_NOCTTY;
  how.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS;
  UniqueFd file(static_cast<int>(
      ::syscall(SYS_openat2, root.get(), relative_path.c_str(), &how, sizeof(how))));
  if (!file.valid()) {
    if (errno == EXDEV) {
      return Status::Error("seccomp profile '" + relative_path + "': leads outside " +
                           profile_root);
    }
    return SysError("openat2", path);
  }
  Result<std::string> text = ReadAll(file.get(), path);
  if (!text.ok()) return text.status();

  nlohmann::ordered_json profile;
  try {
    profile = nlohmann::ordered_json::parse(*text);
  } catch (const nlohmann::json::exception& e) {
    return Status::Error("seccomp profile " + path + ": not JSON: " + e.what());
  }
  if (Status s = ValidateSeccompProfile(profile); !s.ok()) return s.WithContext(path);
  return profile;
}

}  // namespace i2kit
