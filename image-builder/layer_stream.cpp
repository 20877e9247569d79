#include "image-builder/layer_stream.h"

#include <fcntl.h>
#include <unistd.h>

#include <cstring>

#include "common/sys_error.h"

namespace i2kit {

Result<std::unique_ptr<LayerStream>> LayerStream::Open(const LayerBlob& layer) {
  // The stream is libarchive's client data, so its address must not change: heap-allocate it.
  std::unique_ptr<LayerStream> stream(new LayerStream(layer));
  stream->fd_.reset(::open(layer.path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!stream->fd_.valid()) return SysError("open", layer.path.string());

  stream->reader_.reset(archive_read_new());
  archive* reader = stream->reader_.get();
  if (reader == nullptr) return Status::Error("archive_read_new failed");
  int filter = ARCHIVE_OK;
  switch (layer.compression) {
    case LayerCompression::kNone:
      filter = archive_read_support_filter_none(reader);
      break;
    case LayerCompression::kGzip:
      filter = archive_read_support_filter_gzip(reader);
      break;
    case LayerCompression::kZstd:
      filter = archive_read_support_filter_zstd(reader);
      break;
  }
  // ARCHIVE_WARN would mean an external zstd/gzip program: refuse rather than fork one.
  if (filter != ARCHIVE_OK || archive_read_support_format_tar(reader) != ARCHIVE_OK) {
    return Status::Error("layer " + layer.digest +
                         ": libarchive cannot read this compression: " + ArchiveError(reader));
  }
  if (archive_read_open(reader, stream.get(), nullptr, &LayerStream::Read, nullptr) != ARCHIVE_OK) {
    return Status::Error("layer " + layer.digest + " (" + layer.path.string() +
                         "): " + ArchiveError(reader));
  }
  return stream;
}

la_ssize_t LayerStream::Read(archive* reader, void* self, const void** buffer) {
  auto* stream = static_cast<LayerStream*>(self);
  ssize_t n;
  do {
    n = ::read(stream->fd_.get(), stream->buffer_.data(), stream->buffer_.size());
  } while (n < 0 && errno == EINTR);
  if (n < 0) {
    archive_set_error(reader, errno, "%s",
                      SysErrorMessage("read", stream->layer_.path.string()).c_str());
    return -1;
  }
  stream->sha_.Update(stream->buffer_.data(), static_cast<size_t>(n));
  stream->bytes_read_ += static_cast<uint64_t>(n);
  *buffer = stream->buffer_.data();
  return n;
}

Status LayerStream::Verify() {
  for (;;) {
    const void* unused = nullptr;
    la_ssize_t n = Read(reader_.get(), this, &unused);
    if (n < 0) return Status::Error(ArchiveError(reader_.get()));
    if (n == 0) break;
  }
  Result<std::string> digest = sha_.Finish();
  if (!digest.ok()) return digest.status();
  if (*digest != layer_.digest || bytes_read_ != layer_.size) {
    return Status::Error("layer " + layer_.path.string() +
                         " does not match its descriptor: " + "expected " + layer_.digest + " (" +
                         std::to_string(layer_.size) + " bytes), read " + *digest + " (" +
                         std::to_string(bytes_read_) + " bytes)");
  }
  return Status::Ok();
}

}  // namespace i2kit
