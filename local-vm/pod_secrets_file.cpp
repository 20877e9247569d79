#include "local-vm/pod_secrets_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include "common/pod_secrets.h"
#include "common/sys_error.h"
#include "common/unique_fd.h"

namespace i2kit {
namespace {

constexpr size_t kMaxSecretsFile = 1 << 20;  // Kubernetes caps one Secret at 1 MiB

std::string PathIn(const std::string& dir) {
  return dir + "/" + kPodSecretsFile;
}

}  // namespace

Status WritePodSecretsFile(const std::string& artifacts_dir, const Deployment& deployment,
                           const std::vector<ConfigObject>& secrets) {
  std::string path = PathIn(artifacts_dir);
  std::vector<ConfigObject> mine = SecretsFor(deployment, secrets);
  if (mine.empty()) {
    if (::unlink(path.c_str()) != 0 && errno != ENOENT) return SysError("unlink", path);
    return Status::Ok();
  }
  std::string temporary = path + ".tmp";
  (void)::unlink(temporary.c_str());
  // O_EXCL and 0600 at creation: no moment in which another user could open it.
  UniqueFd fd(
      ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600));
  if (!fd.valid()) return SysError("open", temporary);
  if (::fchmod(fd.get(), 0600) != 0) return SysError("fchmod", temporary);  // despite the umask
  std::string text = SecretsToJson(mine);
  size_t done = 0;
  while (done < text.size()) {
    ssize_t n = ::write(fd.get(), text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      Status error = SysError("write", temporary);
      (void)::unlink(temporary.c_str());
      return error;
    }
    done += static_cast<size_t>(n);
  }
  if (::fsync(fd.get()) != 0) return SysError("fsync", temporary);
  if (::rename(temporary.c_str(), path.c_str()) != 0) return SysError("rename", temporary);
  return Status::Ok();
}

Result<std::string> ReadPodSecretsFile(const std::string& artifacts_dir) {
  std::string path = PathIn(artifacts_dir);
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
  if (!fd.valid()) {
    if (errno == ENOENT) return SecretsToJson({});
    return SysError("open", path);
  }
  std::string text;
  char chunk[4096];
  for (;;) {
    ssize_t n = ::read(fd.get(), chunk, sizeof chunk);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return SysError("read", path);
    if (n == 0) break;
    text.append(chunk, static_cast<size_t>(n));
    if (text.size() > kMaxSecretsFile) return Status::Error(path + ": larger than 1 MiB");
  }
  return text;
}

}  // namespace i2kit
