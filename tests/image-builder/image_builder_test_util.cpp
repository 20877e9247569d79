#include "image-builder/image_builder_test_util.h"

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <memory>
#include <sstream>

#include "common/unique_fd.h"
#include "image-builder/run_tool.h"
#include "image-builder/sha256.h"

namespace i2kit::test_util {

TempDir::TempDir() {
  const char* base = std::getenv("TMPDIR");
  std::string pattern = std::string(base != nullptr && *base != '\0' ? base : "/tmp") +
                        "/i2kit-image-builder-test-XXXXXX";
  if (::mkdtemp(pattern.data()) == nullptr) {
    ADD_FAILURE() << "mkdtemp(" << pattern << ") failed: " << std::strerror(errno);
  }
  path_ = pattern;
}

TempDir::~TempDir() {
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

void WriteFile(const std::filesystem::path& path, const std::string& content) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << content;
  ASSERT_TRUE(out.good()) << "cannot write " << path;
}

std::string ReadFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string DigestOf(const std::string& data) {
  Result<std::string> digest = Sha256Of(data);
  return digest.ok() ? *digest : "";
}

TarEntry File(std::string name, std::string content, mode_t mode) {
  return TarEntry{TarEntry::Type::kFile, std::move(name), std::move(content), mode, 0, 0, {}};
}
TarEntry Directory(std::string name, mode_t mode) {
  return TarEntry{TarEntry::Type::kDirectory, std::move(name), "", mode, 0, 0, {}};
}
TarEntry Symlink(std::string name, std::string target) {
  return TarEntry{TarEntry::Type::kSymlink, std::move(name), std::move(target), 0777, 0, 0, {}};
}
TarEntry Hardlink(std::string name, std::string target) {
  return TarEntry{TarEntry::Type::kHardlink, std::move(name), std::move(target), 0644, 0, 0, {}};
}

LayerBlob WriteLayer(const std::filesystem::path& path, const std::vector<TarEntry>& entries,
                     LayerCompression compression) {
  std::unique_ptr<archive, int (*)(archive*)> writer(archive_write_new(), archive_write_free);
  archive_write_set_format_pax_restricted(writer.get());
  if (compression == LayerCompression::kGzip) archive_write_add_filter_gzip(writer.get());
  if (compression == LayerCompression::kZstd) archive_write_add_filter_zstd(writer.get());
  EXPECT_EQ(archive_write_open_filename(writer.get(), path.c_str()), ARCHIVE_OK)
      << archive_error_string(writer.get());
  for (const TarEntry& e : entries) {
    std::unique_ptr<archive_entry, void (*)(archive_entry*)> entry(archive_entry_new(),
                                                                   archive_entry_free);
    archive_entry_set_pathname(entry.get(), e.name.c_str());
    archive_entry_set_perm(entry.get(), e.mode);
    archive_entry_set_uid(entry.get(), e.uid);
    archive_entry_set_gid(entry.get(), e.gid);
    archive_entry_set_mtime(entry.get(), 1700000000, 0);
    switch (e.type) {
      case TarEntry::Type::kFile:
        archive_entry_set_filetype(entry.get(), AE_IFREG);
        archive_entry_set_size(entry.get(), static_cast<la_int64_t>(e.content.size()));
        break;
      case TarEntry::Type::kDirectory:
        archive_entry_set_filetype(entry.get(), AE_IFDIR);
        break;
      case TarEntry::Type::kSymlink:
        archive_entry_set_filetype(entry.get(), AE_IFLNK);
        archive_entry_set_symlink(entry.get(), e.content.c_str());
        break;
      case TarEntry::Type::kHardlink:
        archive_entry_set_filetype(entry.get(), AE_IFREG);
        archive_entry_set_hardlink(entry.get(), e.content.c_str());
        archive_entry_set_size(entry.get(), 0);
        break;
      case TarEntry::Type::kCharDevice:
        archive_entry_set_filetype(entry.get(), AE_IFCHR);
        archive_entry_set_rdev(entry.get(), makedev(1, 3));
        break;
      case TarEntry::Type::kFifo:
        archive_entry_set_filetype(entry.get(), AE_IFIFO);
        break;
    }
    for (const auto& [key, value] : e.xattrs) {
      archive_entry_xattr_add_entry(entry.get(), key.c_str(), value.data(), value.size());
    }
    EXPECT_EQ(archive_write_header(writer.get(), entry.get()), ARCHIVE_OK)
        << e.name << ": " << archive_error_string(writer.get());
    if (e.type == TarEntry::Type::kFile && !e.content.empty()) {
      EXPECT_EQ(archive_write_data(writer.get(), e.content.data(), e.content.size()),
                static_cast<la_ssize_t>(e.content.size()));
    }
  }
  EXPECT_EQ(archive_write_close(writer.get()), ARCHIVE_OK);
  std::string bytes = ReadFile(path);
  return LayerBlob{path, DigestOf(bytes), bytes.size(), compression};
}

OciLayoutWriter::OciLayoutWriter(std::filesystem::path dir) : dir_(std::move(dir)) {
  std::filesystem::create_directories(dir_ / "blobs" / "sha256");
  WriteFile(dir_ / "oci-layout", R"({"imageLayoutVersion":"1.0.0"})");
}

Json OciLayoutWriter::AddBlob(const std::string& media_type, const std::string& content) {
  std::string digest = DigestOf(content);
  WriteFile(dir_ / "blobs" / "sha256" / digest.substr(7), content);
  return Json{{"mediaType", media_type}, {"digest", digest}, {"size", content.size()}};
}

Json OciLayoutWriter::AddConfig(const std::string& entrypoint,
                                const std::vector<std::string>& diff_ids,
                                const std::string& architecture) {
  Json config = {{"architecture", architecture},
                 {"os", "linux"},
                 {"config", {{"Entrypoint", {entrypoint}}, {"Env", {"PATH=/bin"}}}},
                 {"rootfs", {{"type", "layers"}, {"diff_ids", diff_ids}}}};
  return AddBlob("application/vnd.oci.image.config.v1+json", config.dump());
}

Json OciLayoutWriter::AddManifest(const Json& config, const std::vector<Json>& layers) {
  Json manifest = {{"schemaVersion", 2},
                   {"mediaType", "application/vnd.oci.image.manifest.v1+json"},
                   {"config", config},
                   {"layers", layers}};
  return AddBlob("application/vnd.oci.image.manifest.v1+json", manifest.dump());
}

Json OciLayoutWriter::AddIndex(const std::vector<Json>& manifests) {
  Json index = {{"schemaVersion", 2},
                {"mediaType", "application/vnd.oci.image.index.v1+json"},
                {"manifests", manifests}};
  return AddBlob("application/vnd.oci.image.index.v1+json", index.dump());
}

Json OciLayoutWriter::AddLayer(const LayerBlob& layer) {
  const char* media_type =
      layer.compression == LayerCompression::kGzip   ? "application/vnd.oci.image.layer.v1.tar+gzip"
      : layer.compression == LayerCompression::kZstd ? "application/vnd.oci.image.layer.v1.tar+zstd"
                                                     : "application/vnd.oci.image.layer.v1.tar";
  return AddBlob(media_type, ReadFile(layer.path));
}

void OciLayoutWriter::WriteIndex(const std::vector<Json>& manifests) {
  Json index = {{"schemaVersion", 2},
                {"mediaType", "application/vnd.oci.image.index.v1+json"},
                {"manifests", manifests}};
  WriteFile(dir_ / "index.json", index.dump());
}

std::filesystem::path OciLayoutWriter::BlobPath(const Json& descriptor) const {
  return dir_ / "blobs" / "sha256" / descriptor["digest"].get<std::string>().substr(7);
}

Json Tagged(Json descriptor, const std::string& tag) {
  descriptor["annotations"]["org.opencontainers.image.ref.name"] = tag;
  return descriptor;
}

Json ForPlatform(Json descriptor, const std::string& architecture) {
  descriptor["platform"] = {{"os", "linux"}, {"architecture", architecture}};
  return descriptor;
}

const std::filesystem::path& ExampleImages() {
  // ctest runs every test in a process of its own: build the examples once per build tree
  // and script version, under a lock, rather than once per process.
  static const std::filesystem::path dir = [] {
    std::filesystem::path script =
        std::filesystem::path(I2KIT_SOURCE_DIR) / "examples/build-images.sh";
    std::filesystem::path cache = I2KIT_EXAMPLE_IMAGE_CACHE;
    std::filesystem::create_directories(cache);
    std::filesystem::path built = cache / DigestOf(ReadFile(script)).substr(7, 16);
    UniqueFd lock(::open((cache / "lock").c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644));
    EXPECT_TRUE(lock.valid() && ::flock(lock.get(), LOCK_EX) == 0) << std::strerror(errno);
    if (!std::filesystem::exists(built / "done")) {
      std::filesystem::path partial = built.string() + ".partial";
      std::filesystem::remove_all(partial);
      Result<ToolOutput> run = RunTool({script.string(), partial.string()});
      if (!run.ok()) {
        ADD_FAILURE() << "examples/build-images.sh failed (apt-get install $(cat "
                         "examples/deps.txt)): "
                      << run.status().message();
        return partial;
      }
      WriteFile(partial / "done", "");
      std::filesystem::remove_all(built);
      std::filesystem::rename(partial, built);
    }
    return built;
  }();
  return dir;
}

std::string DescribeTree(const std::filesystem::path& dir, bool with_owners) {
  std::vector<std::string> lines;
  for (auto it = std::filesystem::recursive_directory_iterator(dir);
       it != std::filesystem::recursive_directory_iterator(); ++it) {
    const std::filesystem::path& path = it->path();
    struct stat st {};
    if (::lstat(path.c_str(), &st) != 0) continue;
    std::ostringstream line;
    line << path.lexically_relative(dir).string() << " " << std::oct << (st.st_mode & 07777)
         << std::dec;
    if (with_owners) line << " " << st.st_uid << ":" << st.st_gid;
    if (S_ISREG(st.st_mode)) line << " file " << st.st_size << " " << DigestOf(ReadFile(path));
    if (S_ISDIR(st.st_mode)) line << " dir";
    if (S_ISLNK(st.st_mode)) line << " -> " << std::filesystem::read_symlink(path).string();
    lines.push_back(line.str());
  }
  std::sort(lines.begin(), lines.end());
  std::string text;
  for (const std::string& line : lines) text += line + "\n";
  return text;
}

}  // namespace i2kit::test_util
