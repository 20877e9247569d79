#include "image-builder/disk_layout.h"

#include <algorithm>
#include <cctype>
#include <set>
#include <sstream>

#include "image-builder/sha256.h"

namespace i2kit {
namespace {

uint64_t RoundUp(uint64_t value, uint64_t unit) {
  return (value + unit - 1) / unit * unit;
}

constexpr uint64_t kAlignmentSectors = kPartitionAlignmentBytes / kSectorBytes;

}  // namespace

Result<std::string> DerivedGuid(const std::string& seed, const std::string& purpose) {
  Result<std::string> digest = Sha256Of(seed + "/" + purpose);
  if (!digest.ok()) return digest.status();
  std::string hex(DigestHex(*digest).substr(0, 32));
  hex[12] = '8';  // version 8: custom (here SHA-256 name-based), RFC 9562 5.8
  static const char kVariant[] = "89ab";
  hex[16] = kVariant[std::stoi(hex.substr(16, 1), nullptr, 16) & 3];  // variant 10xx
  for (char& c : hex) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return hex.substr(0, 8) + "-" + hex.substr(8, 4) + "-" + hex.substr(12, 4) + "-" +
         hex.substr(16, 4) + "-" + hex.substr(20);
}

Result<std::string> RootfsPartitionName(const std::string& container) {
  if (container.size() <= kGptNameMaxChars) return container;
  Result<std::string> digest = Sha256Of(container);
  if (!digest.ok()) return digest.status();
  return container.substr(0, kGptNameMaxChars - 9) + "-" +
         std::string(DigestHex(*digest).substr(0, 8));
}

Result<DiskLayout> PlanDiskLayout(const std::vector<PartitionRequest>& partitions,
                                  const std::string& seed) {
  DiskLayout layout;
  Result<std::string> disk_guid = DerivedGuid(seed, "disk");
  if (!disk_guid.ok()) return disk_guid.status();
  layout.disk_guid = *disk_guid;
  // LBA 0 is the protective MBR, LBA 1 the GPT header, then the entry array.
  uint64_t next = RoundUp(2 + kGptEntrySectors, kAlignmentSectors);
  std::set<std::string> names;
  for (const PartitionRequest& request : partitions) {
    if (request.name.empty() || request.name.size() > kGptNameMaxChars) {
      return Status::Error("partition name '" + request.name + "' must have 1 to " +
                           std::to_string(kGptNameMaxChars) + " characters");
    }
    for (char c : request.name) {
      if (c < 0x20 || c > 0x7e || c == '"' || c == ',') {
        return Status::Error("partition name '" + request.name +
                             "' may only hold printable ASCII without quotes or commas");
      }
    }
    if (!names.insert(request.name).second) {
      return Status::Error("two partitions are named '" + request.name + "'");
    }
    PlacedPartition placed;
    placed.request = request;
    Result<std::string> guid = DerivedGuid(seed, "partition/" + request.name);
    if (!guid.ok()) return guid.status();
    placed.guid = *guid;
    placed.first_sector = next;
    // An empty partition still gets one aligned unit: GPT entries cannot be empty ranges.
    placed.sectors =
        RoundUp(std::max<uint64_t>(request.bytes, 1), kPartitionAlignmentBytes) / kSectorBytes;
    next += placed.sectors;
    layout.partitions.push_back(std::move(placed));
  }
  // The backup entry array and the backup header (the disk's last sector) follow.
  layout.total_sectors = RoundUp(next + kGptEntrySectors + 1, kAlignmentSectors);
  return layout;
}

std::string SfdiskScript(const DiskLayout& layout) {
  std::ostringstream script;
  script << "label: gpt\n"
         << "label-id: " << layout.disk_guid << "\n"
         << "unit: sectors\n"
         << "sector-size: " << kSectorBytes << "\n"
         << "table-length: " << kGptEntrySectors * kSectorBytes / 128 << "\n"
         << "first-lba: " << 2 + kGptEntrySectors << "\n"
         << "last-lba: " << layout.total_sectors - kGptEntrySectors - 2 << "\n";
  for (const PlacedPartition& p : layout.partitions) {
    script << "start=" << p.first_sector << ", size=" << p.sectors
           << ", type=" << p.request.type_guid << ", uuid=" << p.guid << ", name=\""
           << p.request.name << "\"";
    if (p.request.legacy_bios_bootable) script << ", attrs=\"LegacyBIOSBootable\"";
    script << "\n";
  }
  return script.str();
}

}  // namespace i2kit
