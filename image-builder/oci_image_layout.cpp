#include "image-builder/oci_image_layout.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "common/unique_fd.h"
#include "image-builder/image_config_blob.h"
#include "image-builder/parse_json.h"
#include "image-builder/sha256.h"
#include "image-builder/sys_error.h"

namespace i2kit {
namespace {

using Json = nlohmann::json;

// Registries cap manifests at 4 MiB; no index, manifest or config of a sane image comes close.
constexpr uint64_t kMaxMetadataBytes = 4 << 20;
// Indexes may nest (an index per tag pointing at a per-platform index); more is abuse.
constexpr int kMaxIndexDepth = 4;
constexpr const char* kRefNameAnnotation = "org.opencontainers.image.ref.name";

// Docker's media types appear in layouts written from Docker-format sources.
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
  };
  for (const auto& layer : kLayers) {
    if (media_type == layer.media_type) return layer.compression;
  }
  return Status::Error("unsupported layer media type \"" + std::string(media_type) + "\"");
}

struct Descriptor {
  std::string media_type;
  std::string digest;
  uint64_t size = 0;
  std::string ref_name;  // the tag annotation, if any
  std::string os;        // platform, if given
  std::string architecture;
};

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

// The descriptors of an index's "manifests" list.
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

// Picks the linux/amd64 entry among `candidates`.
Result<Descriptor> PickPlatform(const std::vector<Descriptor>& candidates, std::string_view where) {
  std::string offered;
  for (const Descriptor& d : candidates) {
    if (d.os == kImageOs && d.architecture == kImageArchitecture) return d;
    offered += (offered.empty() ? "" : ", ") + d.os + "/" + d.architecture;
  }
  return Status::Error(std::string(where) + ": no manifest for " + kImageOs + "/" +
                       kImageArchitecture + " (offered: " + offered + ")");
}

// Opens a regular file of at most `max_size` bytes; a FIFO or device planted in the layout
// must neither block nor feed endless data.
Result<UniqueFd> OpenRegularFile(const std::filesystem::path& path, uint64_t max_size,
                                 uint64_t* size) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK));
  if (!fd.valid()) return SysError("open", path.string());
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) return SysError("fstat", path.string());
  if (!S_ISREG(st.st_mode)) return Status::Error(path.string() + ": not a regular file");
  if (static_cast<uint64_t>(st.st_size) > max_size) {
    return Status::Error(path.string() + ": " + std::to_string(st.st_size) +
                         " bytes, more than the " + std::to_string(max_size) + " allowed");
  }
  *size = static_cast<uint64_t>(st.st_size);
  return fd;
}

Result<std::string> ReadAll(int fd, uint64_t size, const std::filesystem::path& path) {
  std::string text(size, '\0');
  size_t done = 0;
  while (done < text.size()) {
    ssize_t n = ::read(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return SysError("read", path.string());
    if (n == 0) return Status::Error(path.string() + ": shrank while being read");
    done += static_cast<size_t>(n);
  }
  return text;
}

Result<std::string> ReadSmallFile(const std::filesystem::path& path) {
  uint64_t size = 0;
  Result<UniqueFd> fd = OpenRegularFile(path, kMaxMetadataBytes, &size);
  if (!fd.ok()) return fd.status();
  return ReadAll(fd->get(), size, path);
}

class Layout {
 public:
  explicit Layout(std::filesystem::path dir) : dir_(std::move(dir)) {}

  // Where the blob `d` lives; d.digest was validated by ParseDescriptor.
  std::filesystem::path BlobPath(const Descriptor& d) const {
    return dir_ / "blobs" / "sha256" / std::string(DigestHex(d.digest));
  }

  // Opens the blob `d`, checking that its size is the descriptor's.
  Result<UniqueFd> OpenBlob(const Descriptor& d, uint64_t max_size) const {
    if (d.size > max_size) {
      return Status::Error("blob " + d.digest + ": " + std::to_string(d.size) +
                           " bytes, more than the " + std::to_string(max_size) + " allowed");
    }
    uint64_t size = 0;
    Result<UniqueFd> fd = OpenRegularFile(BlobPath(d), max_size, &size);
    if (!fd.ok()) return fd.status().WithContext("blob " + d.digest);
    if (size != d.size) {
      return Status::Error("blob " + d.digest + " is " + std::to_string(size) +
                           " bytes, its descriptor says " + std::to_string(d.size));
    }
    return fd;
  }

  // Reads a metadata blob (index, manifest, config) and checks its digest.
  Result<std::string> ReadBlob(const Descriptor& d) const {
    Result<UniqueFd> fd = OpenBlob(d, kMaxMetadataBytes);
    if (!fd.ok()) return fd.status();
    Result<std::string> text = ReadAll(fd->get(), d.size, BlobPath(d));
    if (!text.ok()) return text.status();
    Result<std::string> digest = Sha256Of(*text);
    if (!digest.ok()) return digest.status();
    if (*digest != d.digest) return Mismatch(d, *digest);
    return text;
  }

  // Checks a layer blob's size and digest by reading it through.
  Result<LayerBlob> CheckLayer(const Descriptor& d) const {
    Result<LayerCompression> compression = CompressionOf(d.media_type);
    if (!compression.ok()) return compression.status().WithContext("layer " + d.digest);
    Result<UniqueFd> fd = OpenBlob(d, UINT64_MAX);
    if (!fd.ok()) return fd.status();
    Result<std::string> digest = Sha256OfFd(fd->get(), BlobPath(d).string());
    if (!digest.ok()) return digest.status();
    if (*digest != d.digest) return Mismatch(d, *digest);
    return LayerBlob{BlobPath(d), d.digest, d.size, *compression};
  }

  static Status Mismatch(const Descriptor& d, const std::string& actual) {
    return Status::Error("blob " + d.digest + " does not match its digest: its content hashes to " +
                         actual);
  }

 private:
  std::filesystem::path dir_;
};

Status CheckLayoutVersion(const std::filesystem::path& dir) {
  std::filesystem::path file = dir / "oci-layout";
  Result<std::string> text = ReadSmallFile(file);
  if (!text.ok()) return text.status().WithContext("not an OCI image layout");
  Result<Json> json = ParseJson(*text, file.string());
  if (!json.ok()) return json.status();
  // image-layout.md: "1.0.0"; a later 1.x stays readable, a 2.x would not be.
  std::string version = StringField(*json, "imageLayoutVersion");
  if (!version.starts_with("1.")) {
    return Status::Error(file.string() + ": unsupported imageLayoutVersion \"" + version + "\"");
  }
  return Status::Ok();
}

// The index.json entry that `tag` names (or the only one).
Result<Descriptor> SelectByTag(const std::vector<Descriptor>& manifests, std::string_view tag,
                               const std::string& where) {
  std::vector<Descriptor> candidates;
  std::string tags;
  for (const Descriptor& d : manifests) {
    if (tag.empty() || d.ref_name == tag) candidates.push_back(d);
    if (!d.ref_name.empty()) tags += (tags.empty() ? "" : ", ") + d.ref_name;
  }
  if (candidates.size() == 1) return candidates.front();
  if (candidates.empty() && !tag.empty()) {
    return Status::Error(where + ": no image tagged \"" + std::string(tag) + "\" (tags: " + tags +
                         ")");
  }
  if (candidates.empty()) return Status::Error(where + ": the layout holds no image");
  // One tag on several platform manifests: the platform decides.
  Result<Descriptor> by_platform = PickPlatform(candidates, where);
  if (by_platform.ok()) return by_platform;
  return Status::Error(where + ": " + std::to_string(candidates.size()) +
                       " images match; name one by tag (tags: " + tags + ")");
}

}  // namespace

Result<ResolvedImage> ReadOciImageLayout(const std::filesystem::path& dir, std::string_view tag) {
  if (Status version = CheckLayoutVersion(dir); !version.ok()) return version;
  const Layout layout(dir);
  std::filesystem::path index_path = dir / "index.json";
  Result<std::string> index_text = ReadSmallFile(index_path);
  if (!index_text.ok()) return index_text.status();
  Result<Json> index = ParseJson(*index_text, index_path.string());
  if (!index.ok()) return index.status();
  Result<std::vector<Descriptor>> top = ParseManifestList(*index, index_path.string());
  if (!top.ok()) return top.status();
  Result<Descriptor> selected = SelectByTag(*top, tag, index_path.string());
  if (!selected.ok()) return selected.status();
  Descriptor manifest = std::move(selected).value();

  for (int depth = 0; IsIndex(manifest.media_type); ++depth) {
    std::string where = "index " + manifest.digest;
    if (depth == kMaxIndexDepth) return Status::Error(where + ": image indexes nested too deep");
    Result<std::string> text = layout.ReadBlob(manifest);
    if (!text.ok()) return text.status();
    Result<Json> nested = ParseJson(*text, where);
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
  Result<std::string> manifest_text = layout.ReadBlob(manifest);
  if (!manifest_text.ok()) return manifest_text.status();
  Result<Json> json = ParseJson(*manifest_text, where);
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
  Result<std::string> config_text = layout.ReadBlob(*config);
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
    Result<Descriptor> layer =
        ParseDescriptor(layers[i], where + ": layers[" + std::to_string(i) + "]");
    if (!layer.ok()) return layer.status();
    Result<LayerBlob> blob = layout.CheckLayer(*layer);
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
