// A persistent volume's "seed": what mkfs.ext4 writes on a blank device of the volume's size,
// kept as its non-zero extents. The host makes it at build time (image-builder/
// volume_seed_build.h) and packs it into the Pod's compressed system image (pod_vm.h
// kVolumeSeedDir); the agent writes it on a device only when the device is blank
// (guest-agent/volume_format.h). So the guest formats without a mkfs, the same way locally and
// on EC2. 10 GiB is ~4.3 MB of extents (mostly zero bytes inside the blocks), ~23 KB deflated.
//
// Encoding (little-endian): "I2KSEED1", u64 volume size in bytes, u32 extent count, then per
// extent u64 offset, u32 length and the bytes. Extents are in offset order, do not overlap,
// and lie within the size.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace i2kit {

struct SeedExtent {
  uint64_t offset = 0;
  std::string bytes;
};

struct VolumeSeed {
  uint64_t size_bytes = 0;  // the size the filesystem was made for
  std::vector<SeedExtent> extents;
};

std::string EncodeVolumeSeed(const VolumeSeed& seed);

// Fails naming what is wrong: a bad magic, a truncated extent, extents out of order or past the
// size.
Result<VolumeSeed> DecodeVolumeSeed(std::string_view encoded);

// The seed of the file `fd` of `size` bytes: its data ranges (SEEK_DATA/SEEK_HOLE), cut into
// 4 KiB blocks, the all-zero blocks dropped and neighbours joined into one extent.
Result<VolumeSeed> ReadVolumeSeed(int fd, uint64_t size);

}  // namespace i2kit
