#include "guest-agent/container_root.h"

#include <sys/mount.h>

#include <cerrno>
#include <cstring>

#include "common/sys_error.h"
#include "guest-agent/file_tree.h"

namespace i2kit {
namespace {

// Detaches what is mounted at `path`; nothing mounted there is fine.
Status Detach(const std::string& path) {
  if (::umount2(path.c_str(), MNT_DETACH) != 0 && errno != EINVAL) {
    return SysError("umount", path);
  }
  return Status::Ok();
}

}  // namespace

uint64_t WritableLayerBytes(std::optional<int64_t> memory_limit_bytes, int64_t vm_memory_bytes) {
  if (memory_limit_bytes && *memory_limit_bytes > 0) {
    return static_cast<uint64_t>(*memory_limit_bytes);
  }
  return static_cast<uint64_t>(vm_memory_bytes > 0 ? vm_memory_bytes : 0) / 8;
}

Result<ContainerRootPaths> MountContainerRoot(const std::string& run_dir, const std::string& name,
                                              const std::string& device, bool read_only_root,
                                              uint64_t layer_bytes) {
  ContainerRootPaths paths;
  std::string base = run_dir + "/containers/" + name;
  paths.image = base + "/image";
  if (Status s = MakeDirectories(paths.image); !s.ok()) return s;
  if (::mount(device.c_str(), paths.image.c_str(), "erofs", MS_RDONLY | MS_NODEV, nullptr) != 0) {
    return SysError("mount erofs " + device, paths.image);
  }
  if (read_only_root) {
    paths.rootfs = paths.image;
    return paths;
  }
  paths.rootfs = base + "/rootfs";
  paths.layer = base + "/layer";
  paths.layer_bytes = layer_bytes;
  for (const std::string& dir : {paths.rootfs, paths.layer}) {
    if (Status s = MakeDirectories(dir); !s.ok()) return s;
  }
  return paths;
}

Status FreshWritableLayer(const ContainerRootPaths& paths) {
  if (paths.layer.empty()) return Status::Ok();
  if (Status s = Detach(paths.rootfs); !s.ok()) return s;
  if (Status s = Detach(paths.layer); !s.ok()) return s;
  // At least one page: tmpfs reads size=0 as no limit at all.
  std::string size = "size=" + std::to_string(paths.layer_bytes > 4096 ? paths.layer_bytes : 4096);
  if (::mount("tmpfs", paths.layer.c_str(), "tmpfs", MS_NOSUID | MS_NODEV,
              (size + ",mode=0755").c_str()) != 0) {
    return SysError("mount tmpfs " + size, paths.layer);
  }
  std::string upper = paths.layer + "/upper", work = paths.layer + "/work";
  for (const std::string& dir : {upper, work}) {
    if (Status s = MakeDirectories(dir); !s.ok()) return s;
  }
  std::string options = "lowerdir=" + paths.image + ",upperdir=" + upper + ",workdir=" + work;
  if (::mount("overlay", paths.rootfs.c_str(), "overlay", MS_NODEV, options.c_str()) != 0) {
    return SysError("mount overlay", paths.rootfs);
  }
  return Status::Ok();
}

Status UnmountContainerRoot(const ContainerRootPaths& paths) {
  Status result;
  for (const std::string& path : {paths.rootfs, paths.layer}) {
    if (paths.layer.empty()) break;
    if (Status s = Detach(path); !s.ok() && result.ok()) result = s;
  }
  if (::umount2(paths.image.c_str(), MNT_DETACH) != 0 && result.ok()) {
    result = SysError("umount", paths.image);
  }
  return result;
}

}  // namespace i2kit
