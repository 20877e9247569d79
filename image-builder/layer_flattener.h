// Applies an image's layers, in order, into one root directory: what the container will see
// (OCI image-spec layer.md "Applying Changesets"), ready to be packed read-only.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "common/status.h"
#include "image-builder/resolved_image.h"

namespace i2kit {

struct FlattenOptions {
  // Every entry's mtime and atime once flattened, so the tree depends only on the layers.
  int64_t mtime = 0;
};

// An entry the flattener did not write, or wrote without some of its metadata, and why.
struct FlattenNote {
  std::string layer;  // the layer's digest
  std::string entry;  // the entry's name as the layer stores it
  std::string reason;
};

struct FlattenSummary {
  uint64_t files = 0;  // regular files written
  uint64_t bytes = 0;  // bytes of file content written
  uint64_t directories = 0;
  uint64_t symlinks = 0;
  uint64_t hardlinks = 0;
  uint64_t whiteouts = 0;            // whiteout and opaque markers applied
  std::vector<FlattenNote> skipped;  // not written: device nodes, FIFOs, what is under /dev, …
  std::vector<FlattenNote> altered;  // written without a dropped xattr or an unapplied owner
};

// Applies `layers` (base first) into `root`, an existing and normally empty directory.
// - Whiteouts: ".wh.NAME" removes NAME from lower layers; ".wh..wh..opq" removes everything
//   lower layers put in its directory. Neither touches what its own layer writes.
// - Files, directories, symlinks (stored as they are, never followed), hard links (only to
//   entries already in the root), modes with setuid/setgid/sticky bits, numeric owners (when
//   running as root; otherwise reported in `altered`), xattrs user.* and security.capability
//   (others are dropped and reported), and every mtime set to options.mtime.
// - Nothing is written outside `root`: absolute names, ".." components and hard links to such
//   names are errors, and so is a path whose parent is a symlink (it is never followed).
// - Device nodes, FIFOs and sockets are skipped, and so is everything below dev/, proc/ and
//   sys/: the runtime mounts its own there, and runc 1.1.5 could be steered by an image's
//   entries there (CVE-2025-31133, -52565, -52881; DESIGN.md). Those three stay plain directories
//   and exist in every result, as mount points on a read-only root must.
// - etc/hostname, etc/hosts and etc/resolv.conf, where runc mounts the Pod's own, are empty
//   regular files (mode 0644) in every result, replacing whatever the layers put there
//   (symlinks included); an etc that is not a directory is replaced by one (in `altered`).
// Each layer's digest and size are checked on the bytes read. On error, which names the layer
// digest and the entry, `root` is left half-written and must be discarded.
Result<FlattenSummary> FlattenLayers(const std::vector<LayerBlob>& layers,
                                     const std::filesystem::path& root,
                                     const FlattenOptions& options = {});

}  // namespace i2kit
