// Makes a persistent volume's seed (common/volume_seed.h) on the build host: mkfs.ext4 (Debian
// package e2fsprogs) on a sparse file of the volume's exact size, its root directory owned by
// 0:0 (the agent gives it to the Pod's fsGroup), inode tables and journal left for the guest's
// kernel to initialise lazily — so the seed holds only the metadata mkfs must write. The same
// deployment, volume and size give the same seed byte for byte (a UUID and hash seed derived
// from them, mkfs's clock fixed), so the Pod's image digest does not change between builds.
#pragma once

#include <cstdint>
#include <string>

#include "common/status.h"
#include "common/volume_seed.h"

namespace i2kit {

// `scratch_dir` holds the sparse file while mkfs runs; it is removed before returning.
Result<VolumeSeed> MakeVolumeSeed(const std::string& deployment, const std::string& volume,
                                  uint64_t size_bytes, const std::string& scratch_dir);

}  // namespace i2kit
