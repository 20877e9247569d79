#include "local-vm/volume_images.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>

#include "common/sys_error.h"
#include "common/unique_fd.h"

namespace i2kit {
std::string VolumeImagePath(const std::string& state_root, const std::string& deployment,
                            const std::string& volume) {
  return state_root + "/" + kVolumesDir + "/" + deployment + "/" + volume + ".ext4";
}

Result<std::string> EnsureVolumeImage(const std::string& state_root, const std::string& deployment,
                                      const VmVolume& volume) {
  std::string path = VolumeImagePath(state_root, deployment, volume.name);
  if (::access(path.c_str(), F_OK) == 0) return path;
  std::string dir = path.substr(0, path.rfind('/'));
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return Status::Error("cannot create " + dir + ": " + ec.message());
  std::filesystem::permissions(state_root + "/" + kVolumesDir, std::filesystem::perms::owner_all,
                               ec);
  // Blank, as a new EBS volume is: the agent formats it with the Pod's seed (pod_vm.h
  // kVolumeSeedDir) the same way on both. Made under another name and renamed, so a half-made
  // image is never attached.
  std::string staging = path + ".new";
  {
    UniqueFd fd(::open(staging.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
    if (!fd.valid()) return SysError("open", staging);
    if (::ftruncate(fd.get(), volume.size_bytes) != 0) return SysError("ftruncate", staging);
  }
  if (::rename(staging.c_str(), path.c_str()) != 0) return SysError("rename", staging);
  return path;
}

Result<std::vector<std::string>> RemoveVolumeImages(const std::string& state_root,
                                                    const std::string& deployment) {
  std::string dir = state_root + "/" + kVolumesDir + "/" + deployment;
  std::vector<std::string> removed;
  std::error_code ec;
  if (!std::filesystem::exists(dir, ec)) return removed;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    removed.push_back(entry.path().string());
  }
  if (ec) return Status::Error("cannot list " + dir + ": " + ec.message());
  std::sort(removed.begin(), removed.end());
  std::filesystem::remove_all(dir, ec);
  if (ec) return Status::Error("cannot remove " + dir + ": " + ec.message());
  return removed;
}

}  // namespace i2kit
