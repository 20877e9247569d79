// Formatting a persistent volume's disk in the guest, which has no mkfs: the Pod's seed
// (common/volume_seed.h) is written on the disk only when the disk is blank. Locally (a new
// sparse image) and on EC2 (a new EBS volume) it is the same code on the same kind of disk.
#pragma once

#include <string>

#include "common/status.h"
#include "common/volume_seed.h"

namespace i2kit {

struct FormatOutcome {
  bool formatted = false;  // the seed was written; else the disk already held the filesystem
  // Non-empty when the filesystem's size is not the volume's (the manifest's size changed
  // since it was made, or the disk is larger): the filesystem is never grown or shrunk.
  std::string warning;
};

// Looks at `device` (a block device or an image file) and:
// - an ext4 superblock (magic 0xEF53 at byte 1080): leaves it as it is;
// - blank — its first 4 MiB and every range the seed covers read zero, or hold the seed's own
//   bytes (a format cut short by a crash is finished, not refused) — writes the seed, the
//   primary superblock last and each part flushed, so a disk with the magic is whole;
// - anything else: refuses, naming the first offset that holds data, and writes nothing;
// - a disk smaller than the seed's size: refuses.
Result<FormatOutcome> FormatIfBlank(const std::string& device, const VolumeSeed& seed);

}  // namespace i2kit
