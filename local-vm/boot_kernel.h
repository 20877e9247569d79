// Which kernel file a local Pod VM boots: the artifacts' bzImage, or the same kernel's
// uncompressed vmlinux (vm_artifacts.h DirectKernel), which QEMU enters directly through its
// PVH note, sooner (no real-mode setup, no decompression). The vmlinux is shared and lives
// outside the artifacts, so it is booted only while it provably is the Pod's kernel: both it
// and the artifacts' bzImage still have the digests the build recorded. Anything else — none
// recorded, the file gone or rebuilt, the bzImage replaced — boots the bzImage.
#pragma once

#include <functional>
#include <string>

#include "common/status.h"
#include "common/vm_artifacts.h"

namespace i2kit {

struct BootKernel {
  std::string path;  // what QEMU's -kernel gets
  std::string why;   // in words, for -v: "vmlinux /…/vmlinux (PVH direct boot)", "bzImage (…)"
};

// The sha256 of a file ("sha256:<hex>"), or an error (e.g. it is gone).
using FileDigestFn = std::function<Result<std::string>(const std::string& path)>;

// `digest` remembered per file while the file's identity (device, inode, size, modification
// time) stays the same: a replica start would otherwise hash the 18.7 MB vmlinux and the
// bzImage again (~60 ms on the warm path). Thread-safe.
FileDigestFn RememberedFileDigest(FileDigestFn digest);

// The kernel to boot for `artifacts` in `artifacts_dir`. `override_kernel` (run --kernel) wins
// when set. Pure but for `digest`, which reads the files.
BootKernel ChooseBootKernel(const VmArtifacts& artifacts, const std::string& artifacts_dir,
                            const std::string& override_kernel, const FileDigestFn& digest);

}  // namespace i2kit
