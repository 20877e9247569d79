// The local persistent volumes: one sparse ext4 disk image per volume of a deployment, under
// ROOT/_volumes/<deployment>/<volume>.ext4 in the state dir (state_dir.h), made on first use
// and attached to whichever VM runs the deployment. It outlives every VM, `down` and the next
// `run`; only `down --volumes` removes it. Two VMs never write it at once: QEMU locks an image
// it opens for writing, so a second VM of it fails to start instead of corrupting it.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/status.h"
#include "common/vm_artifacts.h"

namespace i2kit {

inline constexpr const char* kVolumesDir = "_volumes";

// ROOT/_volumes/<deployment>/<volume>.ext4
std::string VolumeImagePath(const std::string& state_root, const std::string& deployment,
                            const std::string& volume);

// The image of `volume`, made if missing: a blank sparse file of its size, which the agent
// formats on first boot from the Pod's seed (common/volume_seed.h), made under a temporary
// name and renamed, so a half-made image is never attached. An existing image is kept as it is,
// data and size: a smaller size asked later does not shrink it. Returns its path.
Result<std::string> EnsureVolumeImage(const std::string& state_root, const std::string& deployment,
                                      const VmVolume& volume);

// Removes every volume image of `deployment` and its directory; returns the paths removed
// (none when it has no volumes).
Result<std::vector<std::string>> RemoveVolumeImages(const std::string& state_root,
                                                    const std::string& deployment);

}  // namespace i2kit
