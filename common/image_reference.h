// Container image references: registry references as Docker and containerd spell them
// (`[registry/]repo[:tag][@sha256:…]`) and the daemon-less transports `oci:PATH[:TAG]`
// (an OCI image layout) and `docker-archive:PATH` (a `docker save` tarball).
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"

namespace i2kit {

enum class ImageTransport { kRegistry, kOciLayout, kDockerArchive };

struct ImageReference {
  ImageTransport transport = ImageTransport::kRegistry;
  // kRegistry: normalized as containerd does ("nginx" → docker.io / library/nginx / latest).
  std::string registry;
  std::string repository;
  std::string tag;     // empty when only a digest was given
  std::string digest;  // "sha256:<64 hex>" or empty
  // kOciLayout and kDockerArchive: the path on the host; kOciLayout may name a tag.
  std::string path;

  // The fully qualified form: "docker.io/library/nginx:1.7.9", "oci:/img:latest", ….
  std::string Canonical() const;
  bool operator==(const ImageReference&) const = default;
};

// Parses and normalizes `text`; the error says which part is malformed and what is allowed.
Result<ImageReference> ParseImageReference(std::string_view text);

const char* ImageTransportName(ImageTransport t);

}  // namespace i2kit
