#include "image-builder/image_manifest.h"

#include "image-builder/image_config_blob.h"
#include "image-builder/parse_json.h"
#include "image-builder/sha256.h"

namespace i2kit {
namespace {

using Json = nlohmann::json;

// Indexes may nest (an index per tag pointing at a per-platform index); more is abuse.
constexpr int kMaxIndexDepth = 4;
constexpr const char* kRefNameAnnotation = "org.opencontainers.image.ref.name";

// Docker's media types appear in layouts written from Docker-format sources, and containerd
// stores what the registry or the imported archive gave it.
bool IsIndex(std::string_view media_type) {
  return media_type == "application/vnd.oci.image.index.v1+json" ||
         media_type == "application/vnd.docker.distribution.manifest.list.v2+json";
}
bool IsManifest(std::string_view media_type) {
  return media_type == "application/vnd.oci.image.manifest.v1+json" ||
         media_type == "application/vnd.docker.distribution.manifest.v2+json";
}
bool IsConfig(std::string_view media_type) {
  return media_type == "application/vnd.oci.image.config.v1+json" ||
         media_type == "application/vnd.docker.container.image.v1+json";
}
Result<LayerCompression> CompressionOf(std::string_view media_type) {
  static constexpr struct {
    const char* media_type;
    LayerCompression compression;
  } kLayers[] = {
      {"application/vnd.oci.image.layer.v1.tar", LayerCompression::kNone},
      {"application/vnd.oci.image.layer.v1.tar+gzip", LayerCompression::kGzip},
      {"application/vnd.oci.image.layer.v1.tar+zstd", LayerCompression::kZstd},
      {"application/vnd.oci.image.layer.nondistributable.v1.tar", LayerCompression::kNone},
      {"application/vnd.oci.image.layer.nondistributable.v1.tar+gzip", LayerCompression::kGzip},
      {"application/vnd.oci.image.layer.nondistributable.v1.tar+zstd", LayerCompression::kZstd},
      {"application/vnd.docker.image.rootfs.diff.tar.gzip", LayerCompression::kGzip},
      {"application/vnd.docker.image.rootfs.foreign.diff.tar.gzip", LayerCompression::kGzip},
      // Not in Docker's registry spec, but what containerd names the uncompressed layers of an
      // imported `docker save` archive.
      {"application/vnd.docker.image.rootfs.diff.tar", LayerCompression::kNone},
  };
  for (const auto& layer : kLayers) {
    if (media_type == layer.media_type) return layer.compression;
  }
  return Status::Error("unsupported layer media type \"" + std::string(media_type) + "\"");
}

// Reads a metadata blob and checks it against its descriptor.
Result<std::string> ReadCheckedBlob(BlobSource& source, const Descriptor& d) {
  if (d.size > kMaxMetadataBytes) return BlobTooLarge(d, kMaxMetadataBytes);
  Result<std::string> text = source.ReadBlob(d);
  if (!text.ok()) return text.status();
  if (text->size() != d.size) return BlobSizeMismatch(d, text->size());
  Result<std::string> digest = Sha256Of(*text);
  if (!digest.ok()) return digest.status();
  if (*digest != d.digest) return BlobDigestMismatch(d.digest, *digest);
  return text;
}

Result<Json> ReadJsonBlob(BlobSource& source, const Descriptor& d, const std::string& where) {
  Result<std::string> text = ReadCheckedBlob(source, d);
  if (!text.ok()) return text.status();
  return ParseJson(*text, where);
}

}  // namespace

Status BlobTooLarge(const Descriptor& d, uint64_t max_size) {
  return Status::Error("blob " + d.digest + ": " + std::to_string(d.size) +
                       " bytes, more than the " + std::to_string(max_size) + " allowed");
}

Status BlobSizeMismatch(const Descriptor& d, uint64_t actual) {
  return Status::Error("blob " + d.digest + " is " + std::to_string(actual) +
                       " bytes, its descriptor says " + std::to_string(d.size));
}

Status BlobDigestMismatch(std::string_view digest, std::string_view actual) {
  return Status::Error("blob " + std::string(digest) +
                       " does not match its digest: its content hashes to " + std::string(actual));
}

Result<Descriptor> ParseDescriptor(const Json& json, std::string_view where) {
  if (!json.is_object())
    return Status::Error(std::string(where) + ": expected a descriptor object");
  Descriptor descriptor;
  descriptor.media_type = StringField(json, "mediaType");
  descriptor.digest = StringField(json, "digest");
  Status valid = CheckSha256Digest(descriptor.digest);
  if (!valid.ok()) return valid.WithContext(where);
  auto size = json.find("size");
  if (size == json.end() || !size->is_number_unsigned()) {
    return Status::Error(std::string(where) + ": size: expected a non-negative integer");
  }
  descriptor.size = size->get<uint64_t>();
  auto annotations = json.find("annotations");
  if (annotations != json.end())
    descriptor.ref_name = StringField(*annotations, kRefNameAnnotation);
  auto platform = json.find("platform");
  if (platform != json.end()) {
    descriptor.os = StringField(*platform, "os");
    descriptor.architecture = StringField(*platform, "architecture");
  }
  return descriptor;
}

Result<std::vector<Descriptor>> ParseManifestList(const Json& index, std::string_view where) {
  auto manifests = index.is_object() ? index.find("manifests") : index.end();
  if (manifests == index.end() || !manifests->is_array()) {
    return Status::Error(std::string(where) + ": manifests: expected a list");
  }
  std::vector<Descriptor> descriptors;
  for (size_t i = 0; i < manifests->size(); ++i) {
    Result<Descriptor> descriptor = ParseDescriptor(
        (*manifests)[i], std::string(where) + ": manifests[" + std::to_string(i) + "]");
    if (!descriptor.ok()) return descriptor.status();
    descriptors.push_back(std::move(descriptor).value());
  }
  return descriptors;
}

Result<Descriptor> PickPlatform(const std::vector<Descriptor>& candidates, std::string_view where) {
  std::string offered;
  for (const Descriptor& d : candidates) {
    if (d.os == kImageOs && d.architecture == kImageArchitecture) return d;
    offered += (offered.empty() ? "" : ", ") + d.os + "/" + d.architecture;
  }
  return Status::Error(std::string(where) + ": no manifest for " + kImageOs + "/" +
                       kImageArchitecture + " (offered: " + offered + ")");
}

Result<ResolvedImage> ReadImageGraph(BlobSource& source, const Descriptor& top) {
  Descriptor manifest = top;
  for (int depth = 0; IsIndex(manifest.media_type); ++depth) {
    std::string where = "index " + manifest.digest;
    if (depth == kMaxIndexDepth) return Status::Error(where + ": image indexes nested too deep");
    Result<Json> nested = ReadJsonBlob(source, manifest, where);
    if (!nested.ok()) return nested.status();
    Result<std::vector<Descriptor>> entries = ParseManifestList(*nested, where);
    if (!entries.ok()) return entries.status();
    Result<Descriptor> picked = PickPlatform(*entries, where);
    if (!picked.ok()) return picked.status();
    manifest = std::move(picked).value();
  }
  std::string where = "manifest " + manifest.digest;
  if (!IsManifest(manifest.media_type)) {
    return Status::Error(where + ": unsupported media type \"" + manifest.media_type + "\"");
  }
  Result<Json> json = ReadJsonBlob(source, manifest, where);
  if (!json.ok()) return json.status();
  if (!json->is_object() || json->value("schemaVersion", Json()) != 2) {
    return Status::Error(where + ": expected an object with schemaVersion 2");
  }

  Result<Descriptor> config = ParseDescriptor(json->value("config", Json()), where + ": config");
  if (!config.ok()) return config.status();
  if (!IsConfig(config->media_type)) {
    return Status::Error(where + ": config: not an image config (media type \"" +
                         config->media_type + "\")");
  }
  Result<std::string> config_text = ReadCheckedBlob(source, *config);
  if (!config_text.ok()) return config_text.status();
  Result<ImageConfigBlob> config_blob =
      ParseImageConfigBlob(*config_text, "config " + config->digest);
  if (!config_blob.ok()) return config_blob.status();
  ImageConfigBlob parsed = std::move(config_blob).value();

  ResolvedImage image;
  image.manifest_digest = manifest.digest;
  image.config_digest = config->digest;
  image.config = std::move(parsed.config);
  Json layers = json->value("layers", Json());
  if (!layers.is_array()) return Status::Error(where + ": layers: expected a list");
  for (size_t i = 0; i < layers.size(); ++i) {
    std::string layer_where = where + ": layers[" + std::to_string(i) + "]";
    Result<Descriptor> layer = ParseDescriptor(layers[i], layer_where);
    if (!layer.ok()) return layer.status();
    Result<LayerCompression> compression = CompressionOf(layer->media_type);
    if (!compression.ok()) return compression.status().WithContext("layer " + layer->digest);
    Result<LayerBlob> blob = source.FetchLayer(*layer, *compression);
    if (!blob.ok()) return blob.status();
    image.layers.push_back(std::move(blob).value());
  }
  if (!parsed.diff_ids.empty() && parsed.diff_ids.size() != image.layers.size()) {
    return Status::Error(where + ": " + std::to_string(image.layers.size()) +
                         " layers, but the config lists " + std::to_string(parsed.diff_ids.size()) +
                         " diff_ids");
  }
  return image;
}

}  // namespace i2kit
