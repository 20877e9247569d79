#include "guest-agent/volume_format.h"

#include <fcntl.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <cstring>

#include "common/sys_error.h"
#include "common/unique_fd.h"

namespace i2kit {
namespace {

constexpr uint64_t kSuperblock = 1024;  // the primary ext4 superblock, 1024 bytes
constexpr uint64_t kBlankPrefix = 4 << 20;
constexpr uint64_t kBlock = 4096;

uint32_t Le32(const unsigned char* p) {
  return p[0] | (p[1] << 8) | (p[2] << 16) | (static_cast<uint32_t>(p[3]) << 24);
}

// "10 GiB", "64 MiB" or "1000 bytes": volume sizes are whole quantities, as manifests give them.
std::string Size(uint64_t bytes) {
  if (bytes != 0 && bytes % (1ull << 30) == 0) return std::to_string(bytes >> 30) + " GiB";
  if (bytes != 0 && bytes % (1ull << 20) == 0) return std::to_string(bytes >> 20) + " MiB";
  return std::to_string(bytes) + " bytes";
}

// The seed's bytes for [offset, offset + length): zero where it has no extent.
std::string Expected(const VolumeSeed& seed, uint64_t offset, uint64_t length) {
  std::string out(length, '\0');
  for (const SeedExtent& e : seed.extents) {
    uint64_t begin = std::max(offset, e.offset);
    uint64_t end = std::min(offset + length, e.offset + e.bytes.size());
    if (begin < end) {
      std::memcpy(out.data() + (begin - offset), e.bytes.data() + (begin - e.offset), end - begin);
    }
  }
  return out;
}

// Every block of [offset, offset + length) reads zero or the seed's bytes; else the offset of
// the first one that does not.
Result<bool> CheckBlank(int fd, const VolumeSeed& seed, uint64_t offset, uint64_t length,
                        uint64_t& bad) {
  std::string block(kBlock, '\0');
  for (uint64_t at = offset; at < offset + length; at += kBlock) {
    size_t n = static_cast<size_t>(std::min(kBlock, offset + length - at));
    if (::pread(fd, block.data(), n, static_cast<off_t>(at)) != static_cast<ssize_t>(n)) {
      return SysError("pread", "the volume's disk");
    }
    std::string_view got(block.data(), n);
    if (got.find_first_not_of('\0') == std::string_view::npos) continue;
    if (got == Expected(seed, at, n)) continue;
    bad = at + got.find_first_not_of('\0');
    return false;
  }
  return true;
}

Status WriteRange(int fd, const SeedExtent& e, uint64_t begin, uint64_t end) {
  begin = std::max(begin, e.offset);
  end = std::min(end, e.offset + e.bytes.size());
  for (uint64_t at = begin; at < end;) {
    ssize_t n = ::pwrite(fd, e.bytes.data() + (at - e.offset), end - at, static_cast<off_t>(at));
    if (n <= 0) return SysError("pwrite", "the volume's disk");
    at += static_cast<uint64_t>(n);
  }
  return Status::Ok();
}

}  // namespace

Result<FormatOutcome> FormatIfBlank(const std::string& device, const VolumeSeed& seed) {
  UniqueFd fd(::open(device.c_str(), O_RDWR | O_CLOEXEC));
  if (!fd.valid()) return SysError("open", device);
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) return SysError("fstat", device);
  uint64_t size = static_cast<uint64_t>(st.st_size);
  if (S_ISBLK(st.st_mode) && ::ioctl(fd.get(), BLKGETSIZE64, &size) != 0) {
    return SysError("ioctl BLKGETSIZE64", device);
  }
  FormatOutcome outcome;
  unsigned char super[1024] = {};
  if (size >= kSuperblock + sizeof super &&
      ::pread(fd.get(), super, sizeof super, kSuperblock) != sizeof super) {
    return SysError("pread", device);
  }
  if (super[56] == 0x53 && super[57] == 0xEF) {
    // s_blocks_count_lo at 4, s_log_block_size at 24, s_blocks_count_hi at 0x150 (64bit).
    uint64_t blocks = Le32(super + 4) | (static_cast<uint64_t>(Le32(super + 0x150)) << 32);
    uint64_t bytes = blocks * (1024ull << std::min<uint32_t>(Le32(super + 24), 6));
    if (bytes != seed.size_bytes) {
      outcome.warning = "its filesystem is " + Size(bytes) + " but the Pod asks for " +
                        Size(seed.size_bytes) + ": it is kept as it is, not resized";
    }
    return outcome;
  }
  if (size < seed.size_bytes) {
    return Status::Error(device + " is " + Size(size) + ", smaller than the volume's " +
                         Size(seed.size_bytes) + ": not formatting it");
  }
  uint64_t bad = 0;
  Result<bool> blank = CheckBlank(fd.get(), seed, 0, std::min(size, kBlankPrefix), bad);
  for (size_t i = 0; blank.ok() && *blank && i < seed.extents.size(); ++i) {
    blank = CheckBlank(fd.get(), seed, seed.extents[i].offset, seed.extents[i].bytes.size(), bad);
  }
  if (!blank.ok()) return blank.status();
  if (!*blank) {
    return Status::Error(device + " holds data (at byte " + std::to_string(bad) +
                         ") but no ext4 filesystem: refusing to format it");
  }
  // Everything but the primary superblock, flushed, then it: a disk with the magic is whole.
  for (const SeedExtent& e : seed.extents) {
    if (Status s = WriteRange(fd.get(), e, 0, kSuperblock); !s.ok()) return s;
    if (Status s = WriteRange(fd.get(), e, 2 * kSuperblock, UINT64_MAX); !s.ok()) return s;
  }
  if (::fsync(fd.get()) != 0) return SysError("fsync", device);
  for (const SeedExtent& e : seed.extents) {
    if (Status s = WriteRange(fd.get(), e, kSuperblock, 2 * kSuperblock); !s.ok()) return s;
  }
  if (::fsync(fd.get()) != 0) return SysError("fsync", device);
  outcome.formatted = true;
  if (size > seed.size_bytes) {
    outcome.warning = "the disk is " + Size(size) + ", its new filesystem " +
                      Size(seed.size_bytes) + " (the Pod's size)";
  }
  return outcome;
}

}  // namespace i2kit
