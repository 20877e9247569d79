// What reading an image yields, whichever transport it came through (OCI image layout or
// `docker save` archive): its run settings and its layers, ready to be flattened.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "common/image_config.h"

namespace i2kit {

// Pod VMs are x86-64 Linux machines: the platform an image index is resolved for, and the
// only one an image config may name.
inline constexpr const char* kImageOs = "linux";
inline constexpr const char* kImageArchitecture = "amd64";

enum class LayerCompression { kNone, kGzip, kZstd };

// One layer: a tar stream in a file, possibly compressed.
struct LayerBlob {
  std::filesystem::path path;
  std::string digest;  // "sha256:<hex>" of the file's bytes, checked again as it is flattened
  uint64_t size = 0;   // the file's size in bytes
  LayerCompression compression = LayerCompression::kNone;
};

struct ResolvedImage {
  // The manifest's digest: the image's content address in an OCI layout (and a registry).
  // Empty for a docker archive, which has no manifest.
  std::string manifest_digest;
  // The config blob's digest, i.e. the image ID; the same through every transport.
  std::string config_digest;
  ImageConfig config;
  std::vector<LayerBlob> layers;  // the base layer first
};

}  // namespace i2kit
