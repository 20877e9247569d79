// What the image-builder tests share: temporary directories, layers written with libarchive,
// OCI layouts written blob by blob, the example images, and a printable tree listing.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "image-builder/resolved_image.h"

namespace i2kit::test_util {

// A fresh directory under $TMPDIR (or /tmp), removed with everything in it.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

void WriteFile(const std::filesystem::path& path, const std::string& content);
std::string ReadFile(const std::filesystem::path& path);
// "sha256:<hex>" of `data`.
std::string DigestOf(const std::string& data);

// One tar entry of a test layer.
struct TarEntry {
  enum class Type { kFile, kDirectory, kSymlink, kHardlink, kCharDevice, kFifo };
  Type type = Type::kFile;
  std::string name;
  std::string content;  // kFile: the data; kSymlink and kHardlink: the target
  mode_t mode = 0644;
  uid_t uid = 0;
  gid_t gid = 0;
  std::map<std::string, std::string> xattrs;
};

TarEntry File(std::string name, std::string content, mode_t mode = 0644);
TarEntry Directory(std::string name, mode_t mode = 0755);
TarEntry Symlink(std::string name, std::string target);
TarEntry Hardlink(std::string name, std::string target);

// Writes `entries`, in order, as a pax tar to `path`, compressed as asked; returns the blob.
LayerBlob WriteLayer(const std::filesystem::path& path, const std::vector<TarEntry>& entries,
                     LayerCompression compression = LayerCompression::kNone);

// Writes an OCI image layout: blobs first, then index.json.
using Json = nlohmann::json;

class OciLayoutWriter {
 public:
  // Creates `dir` with its oci-layout file.
  explicit OciLayoutWriter(std::filesystem::path dir);
  // Stores `content` as a blob; returns its descriptor {mediaType, digest, size}.
  Json AddBlob(const std::string& media_type, const std::string& content);
  // A config blob for linux/`architecture` running `entrypoint`, with these diff_ids.
  Json AddConfig(const std::string& entrypoint, const std::vector<std::string>& diff_ids,
                 const std::string& architecture = "amd64");
  // A manifest blob over a config descriptor and layer descriptors.
  Json AddManifest(const Json& config, const std::vector<Json>& layers);
  // An image index blob over manifest descriptors.
  Json AddIndex(const std::vector<Json>& manifests);
  // Stores the file of a layer written by WriteLayer as a blob; returns its descriptor.
  Json AddLayer(const LayerBlob& layer);
  // Writes index.json listing `manifests`.
  void WriteIndex(const std::vector<Json>& manifests);
  // Where the blob `descriptor` names lives.
  std::filesystem::path BlobPath(const Json& descriptor) const;
  const std::filesystem::path& dir() const { return dir_; }

 private:
  std::filesystem::path dir_;
};

// `descriptor` with the annotation org.opencontainers.image.ref.name = `tag`.
Json Tagged(Json descriptor, const std::string& tag);
// `descriptor` with platform linux/`architecture`.
Json ForPlatform(Json descriptor, const std::string& architecture);

// The directory examples/build-images.sh wrote (busybox-httpd/, crasher/, busybox-httpd.tar),
// built once per build tree and version of the script. Tests must not change it.
const std::filesystem::path& ExampleImages();

// One line per entry below `dir`, sorted: path, type, mode, owner, and size and content
// digest (files) or target (symlinks). Two trees are equal when their listings are.
std::string DescribeTree(const std::filesystem::path& dir, bool with_owners = true);

}  // namespace i2kit::test_util
