// Packs a container's root directory as an EROFS image (mkfs.erofs from erofs-utils), the
// read-only root filesystem a Pod VM attaches per container. Reproducible: the same tree gives
// a byte-identical image (erofs-utils 1.5 sorts directory entries itself and, with -T and -U,
// embeds no build time and no random UUID).
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

}  // namespace i2kit
