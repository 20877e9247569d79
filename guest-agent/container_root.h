// A container's root filesystem in the Pod VM: its image, an EROFS block device, mounted
// read-only (nodev: an image's device nodes never work), and unless the manifest asks for a
// read-only root, an overlay whose writable layer is a tmpfs (writes live in RAM and vanish
// with the VM: immutable infrastructure).
#pragma once

#include <string>

#include "common/status.h"

namespace i2kit {

struct ContainerRootPaths {
  std::string image;   // where the image is mounted
  std::string rootfs;  // what runc gets as root.path
};

// Mounts the image of container `name` from `device` under `run_dir` (e.g. /run/i2kit).
Result<ContainerRootPaths> MountContainerRoot(const std::string& run_dir, const std::string& name,
                                              const std::string& device, bool read_only_root);

// Unmounts what MountContainerRoot mounted; errors are returned, not fatal (shutdown goes on).
Status UnmountContainerRoot(const ContainerRootPaths& paths);

}  // namespace i2kit
