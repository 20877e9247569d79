// Writes a Pod VM's bootable disk, disk.raw: GPT, the boot partition (boot_partition.h: FAT
// with systemd-boot for UEFI and SYSLINUX for legacy BIOS, one kernel and initrd for both) and
// one partition per container image, named so the agent finds it (disk_layout.h). Built as a
// plain file with mtools, syslinux and sfdisk: no root, no loop devices, no mounts.
// Reproducible: fixed GUIDs and FAT serial derived from `seed`, timestamps from `timestamp`.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "common/status.h"
#include "image-builder/disk_layout.h"

namespace i2kit {

struct BootDiskImage {
  std::string partition_name;    // its GPT name (RootfsPartitionName)
  std::filesystem::path source;  // the EROFS image
};

struct BootDiskInput {
  std::filesystem::path kernel;  // an EFI-stub bzImage
  std::filesystem::path initrd;
  std::string cmdline;  // what both loaders give the kernel
  std::vector<BootDiskImage> images;
  std::string seed;       // the Pod VM's image digest: GUIDs and the FAT serial derive from it
  int64_t timestamp = 0;  // every FAT timestamp (SOURCE_DATE_EPOCH for mtools)
  std::filesystem::path scratch;  // a directory for the FAT image and loader configs
};

// Writes `disk`, replacing it only once complete; returns where everything went.
Result<DiskLayout> WriteBootDisk(const BootDiskInput& input, const std::filesystem::path& disk);

// Grows a copy of a boot disk to the size of the volume it will become (an EBS volume is a
// whole number of GiB): the file is extended sparsely and sfdisk moves the backup GPT to the
// new end and widens the protective MBR's record, as UEFI expects of a disk whose last
// sector is the backup header. Partitions, their contents and the MBR's boot code stay.
// `volume_bytes` must be a multiple of the sector size and not smaller than the disk.
Status GrowBootDisk(const std::filesystem::path& disk, uint64_t volume_bytes);

}  // namespace i2kit
