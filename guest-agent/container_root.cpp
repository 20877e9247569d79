#include "guest-agent/container_root.h"
#include "guest-agent/file_tree.h"

#include <sys/mount.h>

#include <cerrno>
#include <cstring>

namespace i2kit {
namespace {

Status Failed(const std::string& what) {
  return Status::Error(what + " failed: " + std::strerror(errno));
}

}  // namespace

Result<ContainerRootPaths> MountContainerRoot(const std::string& run_dir, const std::string& name,
                                              const std::string& device, bool read_only_root) {
  ContainerRootPaths paths;
  std::string base = run_dir + "/containers/" + name;
  paths.image = base + "/image";
  if (Status s = MakeDirectories(paths.image); !s.ok()) return s;
  if (::mount(device.c_str(), paths.image.c_str(), "erofs", MS_RDONLY | MS_NODEV, nullptr) != 0) {
    return Failed("mount(" + device + ", " + paths.image + ", erofs)");
  }
  if (read_only_root) {
    paths.rootfs = paths.image;
    return paths;
  }
  std::string upper = base + "/upper", work = base + "/work";
  paths.rootfs = base + "/rootfs";
  for (const std::string& dir : {upper, work, paths.rootfs}) {
    if (Status s = MakeDirectories(dir); !s.ok()) return s;
  }
  std::string options = "lowerdir=" + paths.image + ",upperdir=" + upper + ",workdir=" + work;
  if (::mount("overlay", paths.rootfs.c_str(), "overlay", MS_NODEV, options.c_str()) != 0) {
    return Failed("mount(overlay, " + paths.rootfs + ")");
  }
  return paths;
}

Status UnmountContainerRoot(const ContainerRootPaths& paths) {
  Status result;
  if (paths.rootfs != paths.image && ::umount2(paths.rootfs.c_str(), MNT_DETACH) != 0) {
    result = Failed("umount(" + paths.rootfs + ")");
  }
  if (::umount2(paths.image.c_str(), MNT_DETACH) != 0 && result.ok()) {
    result = Failed("umount(" + paths.image + ")");
  }
  return result;
}

}  // namespace i2kit
