#include "common/volume_seed.h"

#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include "common/sys_error.h"

namespace i2kit {
namespace {

constexpr std::string_view kMagic = "I2KSEED1";
constexpr size_t kBlock = 4096;

void PutInt(std::string& out, uint64_t value, int bytes) {
  for (int i = 0; i < bytes; ++i) out.push_back(static_cast<char>((value >> (8 * i)) & 0xff));
}

bool TakeInt(std::string_view& in, int bytes, uint64_t& value) {
  if (in.size() < static_cast<size_t>(bytes)) return false;
  value = 0;
  for (int i = 0; i < bytes; ++i) {
    value |= static_cast<uint64_t>(static_cast<unsigned char>(in[i])) << (8 * i);
  }
  in.remove_prefix(bytes);
  return true;
}

}  // namespace

std::string EncodeVolumeSeed(const VolumeSeed& seed) {
  std::string out(kMagic);
  PutInt(out, seed.size_bytes, 8);
  PutInt(out, seed.extents.size(), 4);
  for (const SeedExtent& e : seed.extents) {
    PutInt(out, e.offset, 8);
    PutInt(out, e.bytes.size(), 4);
    out += e.bytes;
  }
  return out;
}

Result<VolumeSeed> DecodeVolumeSeed(std::string_view in) {
  if (!in.starts_with(kMagic)) return Status::Error("not a volume seed (no I2KSEED1 magic)");
  in.remove_prefix(kMagic.size());
  VolumeSeed seed;
  uint64_t count = 0;
  if (!TakeInt(in, 8, seed.size_bytes) || !TakeInt(in, 4, count)) {
    return Status::Error("volume seed truncated in its header");
  }
  uint64_t end = 0;
  for (uint64_t i = 0; i < count; ++i) {
    uint64_t offset = 0, length = 0;
    if (!TakeInt(in, 8, offset) || !TakeInt(in, 4, length) || in.size() < length) {
      return Status::Error("volume seed truncated in extent " + std::to_string(i));
    }
    if (offset < end || offset + length > seed.size_bytes) {
      return Status::Error("volume seed extent " + std::to_string(i) +
                           " overlaps another or lies past the volume's size");
    }
    end = offset + length;
    seed.extents.push_back({offset, std::string(in.substr(0, length))});
    in.remove_prefix(length);
  }
  if (!in.empty()) return Status::Error("volume seed has bytes after its last extent");
  return seed;
}

Result<VolumeSeed> ReadVolumeSeed(int fd, uint64_t size) {
  VolumeSeed seed;
  seed.size_bytes = size;
  std::string block(kBlock, '\0');
  off_t position = 0;
  while (static_cast<uint64_t>(position) < size) {
    off_t data = ::lseek(fd, position, SEEK_DATA);
    if (data < 0 && errno == ENXIO) break;  // only a hole is left
    if (data < 0) return SysError("lseek", "SEEK_DATA");
    off_t hole = ::lseek(fd, data, SEEK_HOLE);
    if (hole < 0) return SysError("lseek", "SEEK_HOLE");
    // From the block holding `data`, unless a previous range already read that block.
    off_t first = std::max<off_t>(data - data % static_cast<off_t>(kBlock), position);
    for (off_t at = first; at < hole; at += kBlock) {
      size_t want = static_cast<size_t>(std::min<uint64_t>(kBlock, size - at));
      ssize_t n = ::pread(fd, block.data(), want, at);
      if (n != static_cast<ssize_t>(want)) return SysError("pread", "the formatted image");
      if (std::all_of(block.begin(), block.begin() + n, [](char c) { return c == 0; })) continue;
      if (!seed.extents.empty() && seed.extents.back().offset + seed.extents.back().bytes.size() ==
                                       static_cast<uint64_t>(at)) {
        seed.extents.back().bytes.append(block.data(), n);
      } else {
        seed.extents.push_back({static_cast<uint64_t>(at), std::string(block.data(), n)});
      }
    }
    position = std::max<off_t>(
        hole, first + static_cast<off_t>((hole - first + kBlock - 1) / kBlock * kBlock));
  }
  return seed;
}

}  // namespace i2kit
