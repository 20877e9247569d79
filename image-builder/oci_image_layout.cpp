#include "image-builder/oci_image_layout.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "common/sys_error.h"
#include "common/unique_fd.h"
#include "image-builder/image_manifest.h"
#include "image-builder/parse_json.h"
#include "image-builder/sha256.h"

namespace i2kit {
namespace {

using Json = nlohmann::json;

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

// The layout's blobs/sha256/ directory as a blob source.
class Layout : public BlobSource {
 public:
  explicit Layout(std::filesystem::path dir) : dir_(std::move(dir)) {}

  Result<std::string> ReadBlob(const Descriptor& d) override {
    Result<UniqueFd> fd = OpenBlob(d, kMaxMetadataBytes);
    if (!fd.ok()) return fd.status();
    return ReadAll(fd->get(), d.size, BlobPath(d));
  }

  // Checks the layer's size and digest by reading it through; it stays where it is.
  Result<LayerBlob> FetchLayer(const Descriptor& d, LayerCompression compression) override {
    Result<UniqueFd> fd = OpenBlob(d, UINT64_MAX);
    if (!fd.ok()) return fd.status();
    Result<std::string> digest = Sha256OfFd(fd->get(), BlobPath(d).string());
    if (!digest.ok()) return digest.status();
    if (*digest != d.digest) return BlobDigestMismatch(d.digest, *digest);
    return LayerBlob{BlobPath(d), d.digest, d.size, compression};
  }

 private:
  // Where the blob `d` lives; d.digest was validated by ParseDescriptor.
  std::filesystem::path BlobPath(const Descriptor& d) const {
    return dir_ / "blobs" / "sha256" / std::string(DigestHex(d.digest));
  }

  // Opens the blob `d`, checking that its size is the descriptor's.
  Result<UniqueFd> OpenBlob(const Descriptor& d, uint64_t max_size) const {
    if (d.size > max_size) return BlobTooLarge(d, max_size);
    uint64_t size = 0;
    Result<UniqueFd> fd = OpenRegularFile(BlobPath(d), max_size, &size);
    if (!fd.ok()) return fd.status().WithContext("blob " + d.digest);
    if (size != d.size) return BlobSizeMismatch(d, size);
    return fd;
  }

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

// The index.json entry of the image `tag` names in the layout `dir`.
Result<Descriptor> SelectImage(const std::filesystem::path& dir, std::string_view tag) {
  if (Status version = CheckLayoutVersion(dir); !version.ok()) return version;
  std::filesystem::path index_path = dir / "index.json";
  Result<std::string> index_text = ReadSmallFile(index_path);
  if (!index_text.ok()) return index_text.status();
  Result<Json> index = ParseJson(*index_text, index_path.string());
  if (!index.ok()) return index.status();
  Result<std::vector<Descriptor>> top = ParseManifestList(*index, index_path.string());
  if (!top.ok()) return top.status();
  return SelectByTag(*top, tag, index_path.string());
}

}  // namespace

Result<ResolvedImage> ReadOciImageLayout(const std::filesystem::path& dir, std::string_view tag) {
  Result<Descriptor> selected = SelectImage(dir, tag);
  if (!selected.ok()) return selected.status();
  Layout layout(dir);
  return ReadImageGraph(layout, *selected);
}

Result<std::string> OciImageLayoutDigest(const std::filesystem::path& dir, std::string_view tag) {
  Result<Descriptor> selected = SelectImage(dir, tag);
  if (!selected.ok()) return selected.status();
  return selected->digest;
}

}  // namespace i2kit
