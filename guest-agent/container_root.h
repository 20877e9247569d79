// A container's root filesystem in the Pod VM: its image, an EROFS block device, mounted
// read-only (nodev: an image's device nodes never work), and unless the manifest asks for a
// read-only root, an overlay whose writable layer is a tmpfs of its own, made afresh at every
// start: what a container wrote is gone when it restarts, as in Kubernetes, and it cannot fill
// anything but its own layer (not /run, where runc's state and the bundles live).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "common/status.h"

namespace i2kit {

struct ContainerRootPaths {
  std::string image;         // where the image is mounted
  std::string rootfs;        // what runc gets as root.path
  std::string layer;         // where the writable layer's tmpfs goes; empty for a read-only root
  uint64_t layer_bytes = 0;  // the tmpfs's size limit
};

// The size limit of a container's writable layer: its memory limit when it has one (the
// layer's pages are charged to the container's memory cgroup anyway), else an eighth of the
// VM's memory `vm_memory_bytes`: memory is the Pod VM's only storage, and a container filling
// its layer must leave the agent and the other containers theirs.
uint64_t WritableLayerBytes(std::optional<int64_t> memory_limit_bytes, int64_t vm_memory_bytes);

// Mounts the image of container `name` from `device` under `run_dir` (e.g. /run/i2kit) and
// prepares the directories of its writable layer (of `layer_bytes`), which every start mounts
// with FreshWritableLayer.
Result<ContainerRootPaths> MountContainerRoot(const std::string& run_dir, const std::string& name,
                                              const std::string& device, bool read_only_root,
                                              uint64_t layer_bytes);

// Gives the container an empty writable layer: detaches the previous start's overlay and tmpfs
// (their memory is freed once nothing holds them) and mounts a new tmpfs and overlay at
// `paths.rootfs`. Does nothing for a read-only root. Call it while the container is not running.
Status FreshWritableLayer(const ContainerRootPaths& paths);

// Unmounts what MountContainerRoot and FreshWritableLayer mounted; errors are returned, not
// fatal (shutdown goes on).
Status UnmountContainerRoot(const ContainerRootPaths& paths);

}  // namespace i2kit
