// Reads an image from a `docker save` tarball (the docker-archive: transport): manifest.json
// lists, per image, its Config file, its Layers files and its RepoTags. Docker before 25
// writes `<id>/layer.tar`; skopeo writes `<diff_id>.tar` and `<id>/layer.tar` as a symlink to
// `../<diff_id>.tar`; Docker 25+ writes `blobs/sha256/<hex>`. All three read the same here.
#pragma once

#include <filesystem>
#include <string_view>

#include "common/status.h"
#include "image-builder/resolved_image.h"

namespace i2kit {

// Reads the image tagged `tag` from the archive; an empty tag means its only image. The tag is
// compared as an image reference, so "busybox:latest" matches "docker.io/library/busybox:latest".
// Symlinks and hard links on the way to a layer are followed only to other entries of the
// archive, never to the host. Each layer is copied into `blob_dir` (an existing directory the
// caller owns) as a file named by its digest, which must equal the config's rootfs.diff_ids
// entry: layers are the uncompressed tars that `docker save` and skopeo write. The result's
// layers point into `blob_dir`; its manifest_digest is empty (the format has no manifest).
Result<ResolvedImage> ReadDockerArchive(const std::filesystem::path& archive_path,
                                        std::string_view tag,
                                        const std::filesystem::path& blob_dir);

}  // namespace i2kit
