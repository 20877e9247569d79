// Reads an image from an OCI image layout directory (image-spec image-layout.md): `oci-layout`,
// `index.json` and content-addressed `blobs/sha256/<hex>`, as `skopeo copy … oci:DIR:TAG` and
// `umoci` write them.
#pragma once

#include <filesystem>
#include <string_view>

#include "common/status.h"
#include "image-builder/resolved_image.h"

namespace i2kit {

// Reads the image tagged `tag` (the annotation org.opencontainers.image.ref.name) in the
// layout `dir`; an empty tag means the layout's only image. An image index on the way is
// resolved for linux/amd64. Every blob read (indexes, manifest, config, layers) is checked
// against its descriptor's digest and size, and a digest becomes a path only once it is
// "sha256:" and 64 hex digits, so a hostile index.json cannot reach outside `blobs/`. The
// layers stay where they are: the result points into `dir`.
Result<ResolvedImage> ReadOciImageLayout(const std::filesystem::path& dir, std::string_view tag);

// The digest of the index.json entry ReadOciImageLayout(dir, tag) would read (a manifest, or an
// index resolved further), found from index.json alone: the image's content address, cheap
// enough to tell whether a build of it is up to date. No blob is read or checked.
Result<std::string> OciImageLayoutDigest(const std::filesystem::path& dir, std::string_view tag);

}  // namespace i2kit
