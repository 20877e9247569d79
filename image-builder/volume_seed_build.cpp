#include "image-builder/volume_seed_build.h"

#include <fcntl.h>
#include <unistd.h>

#include "common/sys_error.h"
#include "common/unique_fd.h"
#include "image-builder/run_tool.h"
#include "image-builder/sha256.h"

namespace i2kit {
namespace {

// Debian installs it in /usr/sbin, which a user's PATH often lacks.
std::string Mkfs() {
  return ::access("/usr/sbin/mkfs.ext4", X_OK) == 0 ? "/usr/sbin/mkfs.ext4" : "mkfs.ext4";
}

// A version-4-shaped UUID from the first 16 bytes of the digest's hex.
std::string UuidFrom(std::string_view hex) {
  std::string u(hex.substr(0, 32));
  u[12] = '4';
  return u.substr(0, 8) + "-" + u.substr(8, 4) + "-" + u.substr(12, 4) + "-" + u.substr(16, 4) +
         "-" + u.substr(20, 12);
}

}  // namespace

Result<VolumeSeed> MakeVolumeSeed(const std::string& deployment, const std::string& volume,
                                  uint64_t size_bytes, const std::string& scratch_dir) {
  Result<std::string> digest =
      Sha256Of("i2kit volume " + deployment + "/" + volume + " " + std::to_string(size_bytes));
  if (!digest.ok()) return digest.status();
  const std::string uuid = UuidFrom(DigestHex(*digest));
  const std::string path = scratch_dir + "/" + volume + ".seed.ext4";
  {
    UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
    if (!fd.valid()) return SysError("open", path);
    if (::ftruncate(fd.get(), static_cast<off_t>(size_bytes)) != 0) {
      ::unlink(path.c_str());
      return SysError("ftruncate", path);
    }
  }
  // root_owner: else the root directory would belong to the user running the CLI, a uid that
  // means nothing in the guest. lazy_*_init: the guest's ext4 zeroes inode tables in the
  // background, and a device written only by the seed reads zero where the journal is.
  Result<ToolOutput> made =
      RunTool({"env", "E2FSPROGS_FAKE_TIME=1", Mkfs(), "-q", "-F", "-t", "ext4", "-U", uuid, "-E",
               "root_owner=0:0,lazy_itable_init=1,lazy_journal_init=1,hash_seed=" + uuid, "-L",
               volume.substr(0, 16), path});
  if (!made.ok()) {
    ::unlink(path.c_str());
    return made.status().WithContext("formatting volume " + volume + " (Debian package e2fsprogs)");
  }
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  ::unlink(path.c_str());
  if (!fd.valid()) return SysError("open", path);
  Result<VolumeSeed> seed = ReadVolumeSeed(fd.get(), size_bytes);
  if (!seed.ok()) return seed.status().WithContext("volume " + volume);
  return seed;
}

}  // namespace i2kit
