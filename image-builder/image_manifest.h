// The content graph every content-addressed transport shares (OCI image-spec descriptor.md,
// image-index.md, manifest.md; Docker's manifest list and schema 2 manifest are the same
// shapes): from an index, through the linux/amd64 manifest, to the config and the layers. A
// transport (an OCI layout directory, containerd's content store) supplies the blobs; this
// walks the graph and checks every metadata blob against its descriptor.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "image-builder/resolved_image.h"

namespace i2kit {

// Registries cap manifests at 4 MiB; no index, manifest or config of a sane image comes close.
inline constexpr uint64_t kMaxMetadataBytes = 4 << 20;

// A content descriptor: what a blob is, its digest and size, and the annotations and platform
// the graph walk uses.
struct Descriptor {
  std::string media_type;
  std::string digest;  // always a valid "sha256:<hex>" once parsed
  uint64_t size = 0;
  std::string ref_name;  // the org.opencontainers.image.ref.name annotation, if any
  std::string os;        // platform, if given
  std::string architecture;
};

// Parses a descriptor object; the digest must pass CheckSha256Digest. `where` prefixes errors.
Result<Descriptor> ParseDescriptor(const nlohmann::json& json, std::string_view where);

// The descriptors of an index's "manifests" list.
Result<std::vector<Descriptor>> ParseManifestList(const nlohmann::json& index,
                                                  std::string_view where);

// Picks the kImageOs/kImageArchitecture entry among `candidates`; the error lists the others.
Result<Descriptor> PickPlatform(const std::vector<Descriptor>& candidates, std::string_view where);

// The errors every blob source words alike: a blob larger than `max_size` allows, one whose
// size is not its descriptor's, one whose content hashes to `actual`.
Status BlobTooLarge(const Descriptor& d, uint64_t max_size);
Status BlobSizeMismatch(const Descriptor& d, uint64_t actual);
Status BlobDigestMismatch(std::string_view digest, std::string_view actual);

// Where a transport keeps its blobs.
class BlobSource {
 public:
  virtual ~BlobSource() = default;
  // The bytes of the metadata blob `d` (an index, manifest or config), whose d.size is at most
  // kMaxMetadataBytes. The caller checks them against d.digest.
  virtual Result<std::string> ReadBlob(const Descriptor& d) = 0;
  // The layer `d` as a file on the host, its size and digest checked against `d`.
  virtual Result<LayerBlob> FetchLayer(const Descriptor& d, LayerCompression compression) = 0;
};

// Reads the image `top` names (an index, resolved for linux/amd64, possibly nested, or a
// manifest): the manifest's config and every layer, through `source`. Metadata blobs are checked
// against their descriptors' size and digest before they are parsed; media types that are not an
// image index, manifest, config or supported layer are refused.
Result<ResolvedImage> ReadImageGraph(BlobSource& source, const Descriptor& top);

}  // namespace i2kit
