#include "image-builder/boot_disk.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <fstream>

#include "common/sys_error.h"
#include "common/unique_fd.h"
#include "image-builder/boot_partition.h"
#include "image-builder/run_tool.h"
#include "image-builder/sha256.h"

namespace i2kit {
namespace {

namespace fs = std::filesystem;

Status WriteText(const fs::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  out.close();
  if (!out) return Status::Error("cannot write " + path.string());
  return Status::Ok();
}

// Runs an mtools (or mtools-based syslinux) command with fixed timestamps; MTOOLS_SKIP_CHECK
// lets it accept a filesystem image whose geometry is not a floppy's.
Result<ToolOutput> RunMtools(int64_t timestamp, std::vector<std::string> argv) {
  argv.insert(argv.begin(), {"env", "SOURCE_DATE_EPOCH=" + std::to_string(timestamp),
                             "MTOOLS_SKIP_CHECK=1", "TZ=UTC"});
  return RunTool(argv);
}

// Copies `size` bytes (or all) of `source` into `fd` at `offset`.
Status CopyInto(int fd, uint64_t offset, const fs::path& source, const fs::path& disk,
                uint64_t size = UINT64_MAX) {
  UniqueFd in(::open(source.c_str(), O_RDONLY | O_CLOEXEC));
  if (!in.valid()) return SysError("open", source.string());
  char buffer[1 << 16];
  uint64_t done = 0;
  while (done < size) {
    ssize_t n = ::read(in.get(), buffer, std::min<uint64_t>(sizeof buffer, size - done));
    if (n < 0) return SysError("read", source.string());
    if (n == 0) break;
    for (ssize_t written = 0; written < n;) {
      ssize_t w = ::pwrite(fd, buffer + written, static_cast<size_t>(n - written),
                           static_cast<off_t>(offset + done + static_cast<uint64_t>(written)));
      if (w < 0) return SysError("pwrite", disk.string());
      written += w;
    }
    done += static_cast<uint64_t>(n);
  }
  return Status::Ok();
}

// Formats `image` (`bytes` long) as FAT for the partition at `first_sector` and fills it.
Status BuildBootPartition(const BootDiskInput& input, const fs::path& image, uint64_t bytes,
                          uint64_t first_sector, const std::string& serial) {
  std::error_code ec;
  fs::remove(image, ec);
  {
    std::ofstream create(image, std::ios::binary);
    if (!create) return Status::Error("cannot create " + image.string());
  }
  fs::resize_file(image, bytes, ec);
  if (ec) return Status::Error("cannot size " + image.string() + ": " + ec.message());
  const std::string target = image.string();
  // -H: the partition's first sector as "hidden sectors", which SYSLINUX's boot sector adds
  // to find ldlinux.sys on the disk. -N: a fixed serial; mformat would take it from the clock.
  if (Result<ToolOutput> r = RunMtools(
          input.timestamp,
          {"mformat", "-i", target, "-T", std::to_string(bytes / 512), "-c",
           std::to_string(kFatClusterBytes / 512), "-r", std::to_string(kFatRootDirSectors), "-H",
           std::to_string(first_sector), "-N", serial, "-v", "I2KIT-BOOT", "::"});
      !r.ok()) {
    return r.status();
  }
  for (const std::string& dir : BootDirectories()) {
    if (Result<ToolOutput> r = RunMtools(input.timestamp, {"mmd", "-i", target, "::/" + dir});
        !r.ok()) {
      return r.status();
    }
  }
  int n = 0;
  for (const BootFile& file : BootFiles(input.kernel, input.initrd, input.cmdline)) {
    fs::path source = file.source;
    if (source.empty()) {
      source = input.scratch / ("boot-file-" + std::to_string(n++));
      if (Status s = WriteText(source, file.content); !s.ok()) return s;
    }
    if (Result<ToolOutput> r =
            RunMtools(input.timestamp, {"mcopy", "-i", target, source.string(), "::/" + file.path});
        !r.ok()) {
      return r.status().WithContext("copying " + file.path + " to the boot partition");
    }
  }
  // Debian's syslinux installs through mtools: ldlinux.sys, ldlinux.c32, the boot sector.
  if (Result<ToolOutput> r = RunMtools(input.timestamp, {"syslinux", "--install", target});
      !r.ok()) {
    return r.status().WithContext("installing SYSLINUX");
  }
  return Status::Ok();
}

}  // namespace

Result<DiskLayout> WriteBootDisk(const BootDiskInput& input, const fs::path& disk) {
  std::error_code ec;
  std::vector<uint64_t> file_sizes;
  for (const BootFile& file : BootFiles(input.kernel, input.initrd, input.cmdline)) {
    file_sizes.push_back(file.source.empty() ? file.content.size()
                                             : fs::file_size(file.source, ec));
    if (ec) return Status::Error("sizing " + file.source + ": " + ec.message());
  }
  const uint64_t fat_bytes = FatFilesystemBytes(file_sizes, BootDirectories().size());
  std::vector<PartitionRequest> requests = {
      {kEspPartitionName, kEspTypeGuid, fat_bytes, /*legacy_bios_bootable=*/true}};
  for (const BootDiskImage& image : input.images) {
    uint64_t bytes = fs::file_size(image.source, ec);
    if (ec) return Status::Error("sizing " + image.source.string() + ": " + ec.message());
    requests.push_back({image.partition_name, kLinuxDataTypeGuid, bytes, false});
  }
  Result<DiskLayout> layout = PlanDiskLayout(requests, input.seed);
  if (!layout.ok()) return layout.status();
  const PlacedPartition& esp = layout->partitions.front();

  Result<std::string> serial = Sha256Of(input.seed + "/fat-serial");
  if (!serial.ok()) return serial.status();
  const fs::path fat = input.scratch / "boot-partition.fat";
  if (Status s = BuildBootPartition(input, fat, esp.sectors * kSectorBytes, esp.first_sector,
                                    std::string(DigestHex(*serial).substr(0, 8)));
      !s.ok()) {
    return s.WithContext("building the boot partition");
  }

  const fs::path partial = disk.string() + ".partial";
  fs::remove(partial, ec);
  {
    UniqueFd fd(::open(partial.c_str(), O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
    if (!fd.valid()) return SysError("open", partial.string());
    if (::ftruncate(fd.get(), static_cast<off_t>(layout->bytes())) != 0) {
      return SysError("ftruncate", partial.string());
    }
  }
  const fs::path script = input.scratch / "disk.sfdisk";
  if (Status s = WriteText(script, SfdiskScript(*layout)); !s.ok()) return s;
  if (Result<ToolOutput> r = RunTool({"sfdisk", "--quiet", "--no-reread", "--no-tell-kernel",
                                      "--wipe", "never", partial.string()},
                                     script.string());
      !r.ok()) {
    return r.status().WithContext("writing the partition table");
  }
  UniqueFd fd(::open(partial.c_str(), O_RDWR | O_CLOEXEC));
  if (!fd.valid()) return SysError("open", partial.string());
  // The protective MBR's boot code (its first 440 bytes): legacy BIOS boots the partition
  // carrying the LegacyBIOSBootable attribute. sfdisk wrote the partition record after it.
  if (Status s = CopyInto(fd.get(), 0, kSyslinuxGptMbr, partial, 440); !s.ok()) return s;
  if (Status s = CopyInto(fd.get(), esp.offset_bytes(), fat, partial); !s.ok()) return s;
  for (size_t i = 0; i < input.images.size(); ++i) {
    const PlacedPartition& p = layout->partitions[i + 1];
    if (Status s = CopyInto(fd.get(), p.offset_bytes(), input.images[i].source, partial); !s.ok()) {
      return s;
    }
  }
  if (::fsync(fd.get()) != 0) return SysError("fsync", partial.string());
  fs::rename(partial, disk, ec);
  if (ec) return Status::Error("renaming " + partial.string() + ": " + ec.message());
  return layout;
}

Status GrowBootDisk(const fs::path& disk, uint64_t volume_bytes) {
  std::error_code ec;
  uint64_t bytes = fs::file_size(disk, ec);
  if (ec) return Status::Error("growing " + disk.string() + ": " + ec.message());
  if (volume_bytes % kSectorBytes != 0 || volume_bytes < bytes) {
    return Status::Error("growing " + disk.string() + " (" + std::to_string(bytes) +
                         " bytes): the volume size " + std::to_string(volume_bytes) +
                         " is smaller or not a whole number of sectors");
  }
  if (volume_bytes == bytes) return Status::Ok();
  fs::resize_file(disk, volume_bytes, ec);
  if (ec) return Status::Error("extending " + disk.string() + ": " + ec.message());
  if (Result<ToolOutput> r = RunTool({"sfdisk", "--quiet", "--no-reread", "--no-tell-kernel",
                                      "--relocate", "gpt-bak-std", disk.string()});
      !r.ok()) {
    return r.status().WithContext("moving the backup GPT of " + disk.string() + " to its end");
  }
  return Status::Ok();
}

}  // namespace i2kit
