#include "local-vm/boot_kernel.h"

namespace i2kit {

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
