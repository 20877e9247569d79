#include "image-builder/docker_archive.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <map>
#include <optional>
#include <vector>

#include "common/image_reference.h"
#include "common/sys_error.h"
#include "common/unique_fd.h"
#include "image-builder/archive_reader.h"
#include "image-builder/image_config_blob.h"
#include "image-builder/parse_json.h"
#include "image-builder/root_directory.h"
#include "image-builder/sha256.h"

namespace i2kit {
namespace {

using Json = nlohmann::json;

constexpr size_t kMaxMetadataBytes = 4 << 20;
// Enough for any real chain (skopeo uses one hop); a loop stops here.
constexpr int kMaxLinkHops = 16;

struct ArchiveEntry {
  enum class Kind { kFile, kSymlink, kHardlink, kOther } kind = Kind::kOther;
  std::string target;  // kSymlink: as stored; kHardlink: an archive path
};
// Entry name (normalized) → what it is; when a name repeats, the last entry wins, as in tar.
using EntryTable = std::map<std::string, ArchiveEntry>;

Result<ArchiveReader> OpenArchive(const std::filesystem::path& path) {
  ArchiveReader reader(archive_read_new());
  if (reader == nullptr) return Status::Error("archive_read_new failed");
  // `docker save | gzip` is common, and `docker load` reads it.
  archive_read_support_filter_none(reader.get());
  archive_read_support_filter_gzip(reader.get());
  archive_read_support_filter_zstd(reader.get());
  archive_read_support_format_tar(reader.get());
  if (archive_read_open_filename(reader.get(), path.c_str(), 1 << 16) != ARCHIVE_OK) {
    return Status::Error(path.string() + ": " + ArchiveError(reader.get()));
  }
  return reader;
}

// Resolves `path`, relative to the archive's root, lexically: ".." pops a component and may
// not climb above the root.
Result<std::string> ResolveLexically(std::string_view path) {
  if (path.starts_with('/')) return Status::Error("absolute path \"" + std::string(path) + "\"");
  std::vector<std::string_view> parts;
  std::string_view rest = path;
  while (!rest.empty()) {
    size_t slash = rest.find('/');
    std::string_view part = rest.substr(0, slash);
    rest = slash == std::string_view::npos ? std::string_view() : rest.substr(slash + 1);
    if (part.empty() || part == ".") continue;
    if (part != "..") {
      parts.push_back(part);
    } else if (parts.empty()) {
      return Status::Error("\"" + std::string(path) + "\" leaves the archive");
    } else {
      parts.pop_back();
    }
  }
  std::string resolved;
  for (std::string_view part : parts) {
    if (!resolved.empty()) resolved += '/';
    resolved += part;
  }
  return resolved;
}

// Follows symlinks and hard links from `name` to a regular file entry of the archive.
Result<std::string> ResolveEntry(const EntryTable& entries, const std::string& name) {
  std::string current = name;
  for (int hop = 0; hop <= kMaxLinkHops; ++hop) {
    auto it = entries.find(current);
    if (it == entries.end()) {
      return Status::Error("no entry \"" + current + "\" in the archive" +
                           (current == name ? "" : " (reached from \"" + name + "\")"));
    }
    const ArchiveEntry& entry = it->second;
    std::string next;
    switch (entry.kind) {
      case ArchiveEntry::Kind::kFile:
        return current;
      case ArchiveEntry::Kind::kOther:
        return Status::Error("entry \"" + current + "\" is not a regular file");
      case ArchiveEntry::Kind::kSymlink:
        // An absolute target names the host's root, not the archive's.
        if (entry.target.starts_with('/')) {
          return Status::Error("entry \"" + current + "\" links to \"" + entry.target +
                               "\", outside the archive");
        }
        // A relative one is relative to the directory holding the link.
        next = std::string(SplitParent(current).first) + "/" + entry.target;
        break;
      case ArchiveEntry::Kind::kHardlink:
        next = entry.target;
        break;
    }
    Result<std::string> resolved = ResolveLexically(next);
    if (!resolved.ok()) {
      return Status::Error("entry \"" + current + "\" links to \"" + entry.target +
                           "\", outside the archive: " + resolved.status().message());
    }
    current = std::move(resolved).value();
  }
  return Status::Error("entry \"" + name + "\": too many links");
}

Result<std::string> ReadEntryData(archive* reader, const std::string& name) {
  std::string data;
  std::array<char, 1 << 16> buffer;
  for (;;) {
    la_ssize_t n = archive_read_data(reader, buffer.data(), buffer.size());
    if (n < 0) return Status::Error("reading \"" + name + "\": " + ArchiveError(reader));
    if (n == 0) return data;
    if (data.size() + static_cast<size_t>(n) > kMaxMetadataBytes) {
      return Status::Error("\"" + name + "\" is larger than " + std::to_string(kMaxMetadataBytes) +
                           " bytes");
    }
    data.append(buffer.data(), static_cast<size_t>(n));
  }
}

// First pass: what the archive holds, and manifest.json's text.
struct Catalog {
  EntryTable entries;
  std::optional<std::string> manifest;
};

Result<Catalog> ReadCatalog(const std::filesystem::path& path) {
  Result<ArchiveReader> reader = OpenArchive(path);
  if (!reader.ok()) return reader.status();
  Catalog catalog;
  archive_entry* entry = nullptr;
  int r;
  while ((r = archive_read_next_header(reader->get(), &entry)) == ARCHIVE_OK || r == ARCHIVE_WARN) {
    // A name that cannot be normalized cannot be referenced either: leave it out.
    Result<std::string> name = NormalizeEntryPath(EntryPathname(entry));
    if (!name.ok() || name->empty()) continue;
    ArchiveEntry info;
    const char* hardlink = archive_entry_hardlink(entry);
    if (hardlink != nullptr) {
      info.kind = ArchiveEntry::Kind::kHardlink;
      info.target = EntryName(hardlink, archive_entry_hardlink_utf8(entry));
    } else if (archive_entry_filetype(entry) == AE_IFREG) {
      info.kind = ArchiveEntry::Kind::kFile;
    } else if (archive_entry_filetype(entry) == AE_IFLNK) {
      info.kind = ArchiveEntry::Kind::kSymlink;
      info.target = EntryName(archive_entry_symlink(entry), archive_entry_symlink_utf8(entry));
    }
    if (*name == "manifest.json" && info.kind == ArchiveEntry::Kind::kFile) {
      Result<std::string> text = ReadEntryData(reader->get(), *name);
      if (!text.ok()) return text.status().WithContext(path.string());
      catalog.manifest = std::move(text).value();
    }
    catalog.entries[*name] = std::move(info);
  }
  if (r != ARCHIVE_EOF) return Status::Error(path.string() + ": " + ArchiveError(reader->get()));
  return catalog;
}

// The image manifest.json describes: Config and Layers as archive paths.
struct ArchivedImage {
  std::string config;
  std::vector<std::string> layers;
};

bool TagMatches(std::string_view wanted, const std::string& repo_tag) {
  if (wanted == repo_tag) return true;
  Result<ImageReference> a = ParseImageReference(wanted);
  Result<ImageReference> b = ParseImageReference(repo_tag);
  return a.ok() && b.ok() && a->Canonical() == b->Canonical();
}

Result<ArchivedImage> SelectImage(const std::string& manifest_text, std::string_view tag) {
  Result<Json> json = ParseJson(manifest_text, "manifest.json");
  if (!json.ok()) return json.status();
  if (!json->is_array()) return Status::Error("manifest.json: expected a list of images");
  std::vector<const Json*> matches;
  std::string tags;
  for (const Json& image : *json) {
    auto repo_tags = image.is_object() ? image.find("RepoTags") : image.end();
    bool match = tag.empty();
    if (repo_tags != image.end() && repo_tags->is_array()) {
      for (const Json& repo_tag : *repo_tags) {
        if (!repo_tag.is_string()) continue;
        tags += (tags.empty() ? "" : ", ") + repo_tag.get<std::string>();
        match = match || TagMatches(tag, repo_tag.get<std::string>());
      }
    }
    if (match) matches.push_back(&image);
  }
  if (matches.size() != 1) {
    return Status::Error("manifest.json: " +
                         (tag.empty() ? std::to_string(json->size()) + " images; name one by tag"
                                      : std::to_string(matches.size()) + " images tagged \"" +
                                            std::string(tag) + "\"") +
                         " (tags: " + tags + ")");
  }
  const Json& image = *matches.front();
  ArchivedImage archived;
  archived.config = StringField(image, "Config");
  if (archived.config.empty()) return Status::Error("manifest.json: Config: expected a path");
  auto layers = image.find("Layers");
  if (layers == image.end() || !layers->is_array()) {
    return Status::Error("manifest.json: Layers: expected a list of paths");
  }
  for (const Json& layer : *layers) {
    if (!layer.is_string()) return Status::Error("manifest.json: Layers: expected a list of paths");
    archived.layers.push_back(layer.get<std::string>());
  }
  return archived;
}

// A layer copied out of the archive.
struct CopiedLayer {
  std::string digest;
  uint64_t size = 0;
};

// Copies the current entry's data into `blob_dir` as <hex>, hashing it on the way.
Result<CopiedLayer> CopyLayer(archive* reader, int blob_dir_fd,
                              const std::filesystem::path& blob_dir, const std::string& name) {
  const char* partial = "layer.partial";
  UniqueFd out(
      ::openat(blob_dir_fd, partial, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0644));
  if (!out.valid()) return SysError("openat", (blob_dir / partial).string());
  auto fail = [&](Status status) {
    ::unlinkat(blob_dir_fd, partial, 0);
    return status;
  };
  Sha256 sha;
  CopiedLayer copied;
  std::array<char, 1 << 16> buffer;
  for (;;) {
    la_ssize_t n = archive_read_data(reader, buffer.data(), buffer.size());
    if (n < 0) return fail(Status::Error("reading \"" + name + "\": " + ArchiveError(reader)));
    if (n == 0) break;
    sha.Update(buffer.data(), static_cast<size_t>(n));
    copied.size += static_cast<uint64_t>(n);
    for (la_ssize_t done = 0; done < n;) {
      ssize_t w = ::write(out.get(), buffer.data() + done, static_cast<size_t>(n - done));
      if (w < 0 && errno == EINTR) continue;
      if (w < 0) return fail(SysError("write", (blob_dir / partial).string()));
      done += w;
    }
  }
  Result<std::string> digest = sha.Finish();
  if (!digest.ok()) return digest.status();
  copied.digest = std::move(digest).value();
  std::string hex(DigestHex(copied.digest));
  if (::renameat(blob_dir_fd, partial, blob_dir_fd, hex.c_str()) != 0) {
    return SysError("renameat", (blob_dir / hex).string());
  }
  return copied;
}

// Second pass: the config's text and the layers, by resolved entry name.
struct Extracted {
  std::optional<std::string> config;
  std::map<std::string, CopiedLayer> layers;
};

Result<Extracted> Extract(const std::filesystem::path& path, const std::string& config_name,
                          const std::vector<std::string>& layer_names,
                          const std::filesystem::path& blob_dir) {
  UniqueFd blob_dir_fd(::open(blob_dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!blob_dir_fd.valid()) return SysError("open", blob_dir.string());
  Result<ArchiveReader> reader = OpenArchive(path);
  if (!reader.ok()) return reader.status();
  Extracted extracted;
  archive_entry* entry = nullptr;
  int r;
  while ((r = archive_read_next_header(reader->get(), &entry)) == ARCHIVE_OK || r == ARCHIVE_WARN) {
    if (archive_entry_filetype(entry) != AE_IFREG || archive_entry_hardlink(entry) != nullptr)
      continue;
    Result<std::string> name = NormalizeEntryPath(EntryPathname(entry));
    if (!name.ok()) continue;
    if (*name == config_name) {
      Result<std::string> text = ReadEntryData(reader->get(), *name);
      if (!text.ok()) return text.status().WithContext(path.string());
      extracted.config = std::move(text).value();
    } else if (std::find(layer_names.begin(), layer_names.end(), *name) != layer_names.end()) {
      Result<CopiedLayer> copied = CopyLayer(reader->get(), blob_dir_fd.get(), blob_dir, *name);
      if (!copied.ok()) return copied.status().WithContext(path.string());
      extracted.layers[*name] = std::move(copied).value();
    }
  }
  if (r != ARCHIVE_EOF) return Status::Error(path.string() + ": " + ArchiveError(reader->get()));
  return extracted;
}

// Docker names the config after its digest ("<hex>.json", or "blobs/sha256/<hex>" since 25):
// when it does, the name must hold.
Status CheckConfigName(const std::string& name, const std::string& digest) {
  std::string base(SplitParent(name).second);
  if (base.ends_with(".json")) base.resize(base.size() - 5);
  if (!IsSha256Digest("sha256:" + base) || base == DigestHex(digest)) return Status::Ok();
  return Status::Error("config \"" + name + "\" hashes to " + digest + ", not to its name");
}

}  // namespace

Result<ResolvedImage> ReadDockerArchive(const std::filesystem::path& archive_path,
                                        std::string_view tag,
                                        const std::filesystem::path& blob_dir) {
  const std::string where = archive_path.string();
  Result<Catalog> catalog = ReadCatalog(archive_path);
  if (!catalog.ok()) return catalog.status();
  if (!catalog->manifest)
    return Status::Error(where + ": no manifest.json: not a docker save archive");
  Result<ArchivedImage> image = SelectImage(*catalog->manifest, tag);
  if (!image.ok()) return image.status().WithContext(where);

  Result<std::string> config_name = ResolveLexically(image->config);
  if (config_name.ok()) config_name = ResolveEntry(catalog->entries, *config_name);
  if (!config_name.ok()) return config_name.status().WithContext(where + ": Config");
  std::vector<std::string> layer_names;
  for (const std::string& layer : image->layers) {
    Result<std::string> name = ResolveLexically(layer);
    if (name.ok()) name = ResolveEntry(catalog->entries, *name);
    if (!name.ok()) return name.status().WithContext(where + ": layer \"" + layer + "\"");
    layer_names.push_back(std::move(name).value());
  }

  Result<Extracted> extracted = Extract(archive_path, *config_name, layer_names, blob_dir);
  if (!extracted.ok()) return extracted.status();
  if (!extracted->config)
    return Status::Error(where + ": config \"" + *config_name + "\" is missing");
  Result<std::string> config_digest = Sha256Of(*extracted->config);
  if (!config_digest.ok()) return config_digest.status();
  if (Status named = CheckConfigName(*config_name, *config_digest); !named.ok()) {
    return named.WithContext(where);
  }
  Result<ImageConfigBlob> config = ParseImageConfigBlob(*extracted->config, where + ": config");
  if (!config.ok()) return config.status();
  if (config->diff_ids.size() != layer_names.size()) {
    return Status::Error(where + ": " + std::to_string(layer_names.size()) +
                         " layers, but the config lists " +
                         std::to_string(config->diff_ids.size()) + " diff_ids");
  }

  ResolvedImage resolved;
  resolved.config_digest = *config_digest;
  resolved.config = config->config;
  for (size_t i = 0; i < layer_names.size(); ++i) {
    auto found = extracted->layers.find(layer_names[i]);
    if (found == extracted->layers.end()) {
      return Status::Error(where + ": layer \"" + layer_names[i] + "\" vanished while reading");
    }
    const CopiedLayer& copied = found->second;
    if (copied.digest != config->diff_ids[i]) {
      return Status::Error(where + ": layer \"" + layer_names[i] + "\" hashes to " + copied.digest +
                           ", but the config's diff_id is " + config->diff_ids[i] +
                           " (compressed layers are not supported in docker archives)");
    }
    resolved.layers.push_back(LayerBlob{blob_dir / std::string(DigestHex(copied.digest)),
                                        copied.digest, copied.size, LayerCompression::kNone});
  }
  return resolved;
}

}  // namespace i2kit
