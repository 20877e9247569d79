// Read-only filesystem images of a directory, made by Debian's tools. Reproducible: the same
// tree gives a byte-identical image.
// - EROFS (mkfs.erofs from erofs-utils): the root filesystem a Pod VM attaches per container,
//   read from a disk a page at a time (erofs-utils 1.5 sorts directory entries itself and,
//   with -T and -U, embeds no build time and no random UUID).
// - squashfs (mksquashfs from squashfs-tools): the system image in the initrd, which stays in
//   the guest's RAM, so it is packed as small as the kernel can read (xz with the x86 branch
//   filter; mksquashfs 4.5 is reproducible by default, times fixed with -mkfs-time/-all-time).
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>

#include "common/status.h"

namespace i2kit {

struct ErofsOptions {
  // Every inode's timestamp and the superblock's build time (mkfs.erofs -T).
  int64_t timestamp = 0;
  // The filesystem UUID (-U). Derive it from the image's content if it must differ per image.
  std::string uuid = "00000000-0000-0000-0000-000000000000";
  // "lz4hc" (the smallest image erofs-utils 1.5 makes; needs CONFIG_EROFS_FS_ZIP), "lz4", or
  // "" for none.
  std::string compressor = "lz4hc";
  // The largest physical cluster compressed as one unit (-C). 64 KiB instead of one page
  // packs runc 15% smaller (4.8 → 4.1 MB); a page fault then decompresses up to 64 KiB, which
  // lz4 does in microseconds.
  int max_pcluster_bytes = 64 * 1024;
  // Makes every file owned by 0:0 (--all-root): for a tree flattened without root, whose
  // files carry the builder's uid instead of the layers' owners.
  bool all_root = false;
};

// Writes the EROFS image of `root` to `image`, replacing it only once mkfs.erofs succeeded.
// Errors carry mkfs.erofs's stderr.
Status PackErofs(const std::filesystem::path& root, const std::filesystem::path& image,
                 const ErofsOptions& options = {});

// Writes the squashfs image of `root` to `image` (every file owned by root, time 0): xz with
// the x86 BCJ filter, 128 KiB blocks. Larger blocks pack a little smaller (1 MiB: -5%) but the
// kernel keeps a block-sized buffer per cache entry and decompressor, in RAM for good.
Status PackSquashfs(const std::filesystem::path& root, const std::filesystem::path& image);

}  // namespace i2kit
