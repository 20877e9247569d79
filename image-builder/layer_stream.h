// Reads a layer blob as a tar archive while hashing every byte libarchive consumes, so the
// digest is checked on the very bytes that were applied: no gap between check and use.
#pragma once

#include <archive.h>

#include <array>
#include <memory>
#include <string>

#include "common/status.h"
#include "common/unique_fd.h"
#include "image-builder/archive_reader.h"
#include "image-builder/resolved_image.h"
#include "image-builder/sha256.h"

namespace i2kit {

class LayerStream {
 public:
  // Opens `layer.path` as a tar archive, decompressed as `layer.compression` says.
  static Result<std::unique_ptr<LayerStream>> Open(const LayerBlob& layer);

  // The reader to iterate entries with (archive_read_next_header, archive_read_data_block).
  archive* reader() const { return reader_.get(); }

  // After the last entry: hashes what libarchive left unread (tar's trailing padding) and
  // compares the layer's digest and size. An error means the layer must not be used.
  Status Verify();

 private:
  explicit LayerStream(const LayerBlob& layer) : layer_(layer) {}
  static la_ssize_t Read(archive* reader, void* self, const void** buffer);

  LayerBlob layer_;
  UniqueFd fd_;
  ArchiveReader reader_;
  Sha256 sha_;
  uint64_t bytes_read_ = 0;
  std::array<char, 1 << 16> buffer_{};
};

}  // namespace i2kit
