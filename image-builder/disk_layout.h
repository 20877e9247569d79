// Where everything goes on a Pod VM's bootable disk (disk.raw): a GPT whose first partition is
// the EFI System Partition (also the legacy-BIOS boot partition) and whose others are the
// containers' EROFS images, each sized to its content. Pure: the same inputs give the same
// layout, GUIDs and sfdisk script, so the disk is reproducible.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/status.h"

namespace i2kit {

inline constexpr uint64_t kSectorBytes = 512;
// Partitions start and end on 4 KiB: the page size and EROFS's block size, so no read of a
// block straddles two device pages. 1 MiB (fdisk's habit) would add up to 1 MiB per partition
// to a disk that must stay small, for no benefit on virtio or NVMe.
inline constexpr uint64_t kPartitionAlignmentBytes = 4096;
// The GPT's partition entry array: 128 entries of 128 bytes (the UEFI minimum), 32 sectors.
inline constexpr uint64_t kGptEntrySectors = 32;

inline constexpr const char* kEspTypeGuid = "C12A7328-F81F-11D2-BA4B-00A0C93EC93B";
inline constexpr const char* kLinuxDataTypeGuid = "0FC63DAF-8483-4772-8E79-3D69D8477DE4";
// The ESP's GPT name. Container names are DNS labels (lower case, no spaces): none can be this.
inline constexpr const char* kEspPartitionName = "EFI System";
// A GPT partition name holds at most 36 UTF-16 code units (UEFI 2.10, 5.3.3).
inline constexpr size_t kGptNameMaxChars = 36;

struct PartitionRequest {
  std::string name;       // the GPT partition name, unique on the disk
  std::string type_guid;  // e.g. kEspTypeGuid
  uint64_t bytes = 0;     // the content's size; the partition is rounded up to the alignment
  bool legacy_bios_bootable = false;  // GPT attribute bit 2: gptmbr.bin boots this one
};

struct PlacedPartition {
  PartitionRequest request;
  std::string guid;  // unique partition GUID, derived from the layout's seed and the name
  uint64_t first_sector = 0;
  uint64_t sectors = 0;
  uint64_t offset_bytes() const { return first_sector * kSectorBytes; }
};

struct DiskLayout {
  std::string disk_guid;
  std::vector<PlacedPartition> partitions;  // in request order
  uint64_t total_sectors = 0;               // the file's size in sectors, backup GPT included
  uint64_t bytes() const { return total_sectors * kSectorBytes; }
};

// Places `partitions` one after another from the first aligned sector after the primary GPT,
// and leaves room for the backup GPT at the end. GUIDs are derived from `seed` (the Pod VM's
// image digest), so two builds of the same Pod give the same disk. Fails on an empty, too long
// or repeated name.
Result<DiskLayout> PlanDiskLayout(const std::vector<PartitionRequest>& partitions,
                                  const std::string& seed);

// An RFC 9562 version-8 UUID (upper case, as sfdisk prints GUIDs) made of the first 128 bits of
// SHA-256(seed "/" purpose), with the version and variant bits set.
Result<std::string> DerivedGuid(const std::string& seed, const std::string& purpose);

// The GPT partition name of a container's root: its name when that fits in 36 characters,
// else its first 27 characters, "-" and 8 hex digits of its SHA-256 (still unique).
Result<std::string> RootfsPartitionName(const std::string& container);

// The layout as an sfdisk script (util-linux `sfdisk FILE < script`), every value explicit.
std::string SfdiskScript(const DiskLayout& layout);

}  // namespace i2kit
