#include "local-vm/boot_kernel.h"

#include <sys/stat.h>

#include <map>
#include <memory>
#include <mutex>

namespace i2kit {

FileDigestFn RememberedFileDigest(FileDigestFn digest) {
  struct Seen {
    dev_t device;
    ino_t inode;
    off_t size;
    timespec modified;
    std::string digest;
  };
  auto mu = std::make_shared<std::mutex>();
  auto seen = std::make_shared<std::map<std::string, Seen>>();
  return [=](const std::string& path) -> Result<std::string> {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) return digest(path);  // its error says why
    std::lock_guard lock(*mu);
    auto it = seen->find(path);
    if (it != seen->end() && it->second.device == st.st_dev && it->second.inode == st.st_ino &&
        it->second.size == st.st_size && it->second.modified.tv_sec == st.st_mtim.tv_sec &&
        it->second.modified.tv_nsec == st.st_mtim.tv_nsec) {
      return it->second.digest;
    }
    Result<std::string> computed = digest(path);
    if (computed.ok()) {
      (*seen)[path] = {st.st_dev, st.st_ino, st.st_size, st.st_mtim, *computed};
    }
    return computed;
  };
}

BootKernel ChooseBootKernel(const VmArtifacts& artifacts, const std::string& artifacts_dir,
                            const std::string& override_kernel, const FileDigestFn& digest) {
  if (!override_kernel.empty()) return {override_kernel, "--kernel " + override_kernel};
  std::string bzimage = artifacts.kernel;
  if (!bzimage.empty() && bzimage.front() != '/' && !artifacts_dir.empty()) {
    bzimage = artifacts_dir + "/" + bzimage;
  }
  auto fallback = [&](const std::string& reason) -> BootKernel {
    return {bzimage, "bzImage " + bzimage + " (" + reason + ")"};
  };
  const DirectKernel& direct = artifacts.direct_kernel;
  if (direct.path.empty()) return fallback("no direct-boot vmlinux recorded by the build");
  Result<std::string> vmlinux = digest(direct.path);
  if (!vmlinux.ok()) return fallback(vmlinux.status().message());
  if (*vmlinux != direct.sha256) return fallback(direct.path + " changed since the build");
  Result<std::string> kernel = digest(bzimage);
  if (!kernel.ok()) return fallback(kernel.status().message());
  if (*kernel != direct.kernel_sha256) {
    return fallback("it is not the kernel " + direct.path + " was recorded with");
  }
  return {direct.path,
          "vmlinux " + direct.path + " (PVH direct boot, the same kernel as " + bzimage + ")"};
}

}  // namespace i2kit
