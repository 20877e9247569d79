#include "image-builder/layer_flattener.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <array>
#include <map>
#include <memory>
#include <set>
#include <unordered_set>

#include "common/sys_error.h"
#include "image-builder/archive_reader.h"
#include "image-builder/layer_stream.h"
#include "image-builder/root_directory.h"

namespace i2kit {
namespace {

// The runtime mounts over these; an image's entries there are at best dead weight.
constexpr std::array<std::string_view, 3> kMountPoints = {"dev", "proc", "sys"};

bool IsMountPoint(std::string_view path) {
  for (std::string_view m : kMountPoints) {
    if (path == m) return true;
  }
  return false;
}

bool IsBelowMountPoint(std::string_view path) {
  size_t slash = path.find('/');
  return slash != std::string_view::npos && IsMountPoint(path.substr(0, slash));
}

std::string Join(std::string_view parent, std::string_view name) {
  return parent.empty() ? std::string(name) : std::string(parent) + "/" + std::string(name);
}

// Where runc bind-mounts the Pod's own files (oci_runtime_spec.h).
constexpr std::array<const char*, 3> kPodEtcFiles = {"hostname", "hosts", "resolv.conf"};

constexpr std::string_view kWhiteoutPrefix = ".wh.";
constexpr std::string_view kOpaqueMarker = ".wh..wh..opq";

class Flattener {
 public:
  Flattener(RootDirectory root, const FlattenOptions& options)
      : root_(std::move(root)), options_(options), is_root_(::geteuid() == 0) {}

  Status Apply(const LayerBlob& layer);
  // Creates the mount points and the Pod's /etc files, then fixes every mtime and the
  // directories' modes.
  Status Finish();
  FlattenSummary& summary() { return summary_; }

 private:
  Status ApplyEntry(archive* reader, archive_entry* entry, const std::string& name);
  Status ApplyWhiteout(std::string_view parent, std::string_view leaf, const std::string& name);
  Status Whiteout(const std::string& path);
  Status MakeOpaque(const std::string& dir);
  Status RemoveLower(int dir_fd, const std::string& name, const std::string& path);
  Status RemoveLowerChildren(int dir_fd, const std::string& dir);
  Status Remove(int parent_fd, std::string_view leaf, const std::string& path);

  Status WriteDirectory(int parent_fd, const std::string& leaf, const std::string& path,
                        archive_entry* entry, const std::string& name);
  Status WriteFile(archive* reader, int parent_fd, const std::string& leaf, const std::string& path,
                   archive_entry* entry, const std::string& name);
  Status WriteSymlink(int parent_fd, const std::string& leaf, const std::string& path,
                      archive_entry* entry, const std::string& name);
  Status WriteHardlink(int parent_fd, const std::string& leaf, const std::string& path,
                       archive_entry* entry, const std::string& name);
  Status SetOwner(int fd, archive_entry* entry, const std::string& path, const std::string& name);
  void SetXattrs(int fd, archive_entry* entry, const std::string& name);

  Status MakePodEtcFiles();
  Status SetTimes(int dir_fd, const std::string& path);
  Status ApplyDirectoryModes();
  void ForgetDirectoryModes(const std::string& path);

  void Skip(const std::string& name, std::string reason) {
    summary_.skipped.push_back({layer_, name, std::move(reason)});
  }
  void Alter(const std::string& name, std::string reason) {
    summary_.altered.push_back({layer_, name, std::move(reason)});
  }

  RootDirectory root_;
  FlattenOptions options_;
  bool is_root_;
  FlattenSummary summary_;
  std::string layer_;  // digest of the layer being applied
  // Paths the layer being applied has written: its own whiteouts must not remove them.
  std::unordered_set<std::string> this_layer_;
  // Device nodes and the like this layer skipped: hard links to them are skipped too.
  std::unordered_set<std::string> skipped_this_layer_;
  // Directory modes, applied last (deepest first): a directory without write permission
  // would otherwise stop later entries when not running as root.
  std::map<std::string, mode_t> directory_modes_;
};

Status Flattener::Apply(const LayerBlob& layer) {
  layer_ = layer.digest;
  this_layer_.clear();
  skipped_this_layer_.clear();
  Result<std::unique_ptr<LayerStream>> stream = LayerStream::Open(layer);
  if (!stream.ok()) return stream.status();
  archive* reader = (*stream)->reader();
  archive_entry* entry = nullptr;
  int r;
  while ((r = archive_read_next_header(reader, &entry)) == ARCHIVE_OK || r == ARCHIVE_WARN) {
    std::string name = EntryPathname(entry);
    Status applied = ApplyEntry(reader, entry, name);
    if (!applied.ok())
      return applied.WithContext("layer " + layer.digest + ": entry \"" + name + "\"");
  }
  if (r != ARCHIVE_EOF) return Status::Error("layer " + layer.digest + ": " + ArchiveError(reader));
  return (*stream)->Verify();
}

Status Flattener::ApplyEntry(archive* reader, archive_entry* entry, const std::string& name) {
  Result<std::string> normalized = NormalizeEntryPath(name);
  if (!normalized.ok()) return normalized.status();
  const std::string& path = *normalized;
  if (path.empty()) return Status::Ok();  // the root's own metadata is ours to choose
  if (IsBelowMountPoint(path)) {
    Skip(name, "below /dev, /proc or /sys, where the runtime mounts its own");
    return Status::Ok();
  }
  auto [parent, leaf] = SplitParent(path);
  if (leaf.starts_with(kWhiteoutPrefix)) return ApplyWhiteout(parent, leaf, name);

  const char* hardlink = archive_entry_hardlink(entry);
  mode_t type = archive_entry_filetype(entry);
  if (IsMountPoint(path) && (hardlink != nullptr || type != AE_IFDIR)) {
    Skip(name, "a mount point must stay a plain directory");
    return Status::Ok();
  }
  if (hardlink == nullptr && type != AE_IFDIR && type != AE_IFREG && type != AE_IFLNK) {
    Skip(name, type == AE_IFIFO    ? "FIFO: not kept in a read-only image"
               : type == AE_IFSOCK ? "socket: not kept in a read-only image"
                                   : "device node: containers get /dev from the runtime");
    skipped_this_layer_.insert(path);
    return Status::Ok();
  }

  Result<UniqueFd> parent_fd = root_.OpenDirectory(parent, RootDirectory::Missing::kCreate);
  if (!parent_fd.ok()) return parent_fd.status();
  std::string leaf_name(leaf);
  Status written =
      hardlink != nullptr ? WriteHardlink(parent_fd->get(), leaf_name, path, entry, name)
      : type == AE_IFDIR  ? WriteDirectory(parent_fd->get(), leaf_name, path, entry, name)
      : type == AE_IFREG  ? WriteFile(reader, parent_fd->get(), leaf_name, path, entry, name)
                          : WriteSymlink(parent_fd->get(), leaf_name, path, entry, name);
  if (written.ok()) this_layer_.insert(path);
  return written;
}

Status Flattener::ApplyWhiteout(std::string_view parent, std::string_view leaf,
                                const std::string& name) {
  if (leaf == kOpaqueMarker) {
    ++summary_.whiteouts;
    return MakeOpaque(std::string(parent));
  }
  std::string_view target = leaf.substr(kWhiteoutPrefix.size());
  if (target.starts_with(kWhiteoutPrefix)) {
    Skip(name, "AUFS metadata, not an OCI whiteout");
    return Status::Ok();
  }
  if (target.empty() || target == "." || target == "..") {
    return Status::Error("whiteout of \"" + std::string(target) + "\" refused");
  }
  std::string path = Join(parent, target);
  if (IsMountPoint(path)) {
    Skip(name, "mount points are kept");
    return Status::Ok();
  }
  ++summary_.whiteouts;
  return Whiteout(path);
}

// OCI image-spec: "Whiteout files MUST only apply to resources in lower/parent layers."
Status Flattener::Whiteout(const std::string& path) {
  if (this_layer_.contains(path)) return Status::Ok();
  auto [parent, leaf] = SplitParent(path);
  Result<UniqueFd> parent_fd = root_.OpenDirectory(parent, RootDirectory::Missing::kReturnInvalid);
  if (!parent_fd.ok()) return parent_fd.status();
  if (!parent_fd->valid()) return Status::Ok();  // nothing there to hide
  return Remove(parent_fd->get(), leaf, path);
}

Status Flattener::MakeOpaque(const std::string& dir) {
  Result<UniqueFd> dir_fd = root_.OpenDirectory(dir, RootDirectory::Missing::kReturnInvalid);
  if (!dir_fd.ok()) return dir_fd.status();
  if (!dir_fd->valid()) return Status::Ok();
  return RemoveLowerChildren(dir_fd->get(), dir);
}

Status Flattener::RemoveLowerChildren(int dir_fd, const std::string& dir) {
  Result<std::vector<std::string>> children = ListDirectory(dir_fd, dir);
  if (!children.ok()) return children.status();
  for (const std::string& child : *children) {
    if (Status removed = RemoveLower(dir_fd, child, Join(dir, child)); !removed.ok())
      return removed;
  }
  return Status::Ok();
}

// Removes what lower layers put at `path`, keeping what this layer wrote there.
Status Flattener::RemoveLower(int dir_fd, const std::string& name, const std::string& path) {
  if (!this_layer_.contains(path)) return Remove(dir_fd, name, path);
  struct stat st {};
  if (::fstatat(dir_fd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0)
    return SysError("fstatat", path);
  if (!S_ISDIR(st.st_mode)) return Status::Ok();
  Result<UniqueFd> child_fd = OpenChildDirectory(dir_fd, name, path);
  if (!child_fd.ok()) return child_fd.status();
  return RemoveLowerChildren(child_fd->get(), path);
}

Status Flattener::Remove(int parent_fd, std::string_view leaf, const std::string& path) {
  ForgetDirectoryModes(path);
  return RemoveTreeAt(parent_fd, std::string(leaf), path);
}

Status Flattener::WriteDirectory(int parent_fd, const std::string& leaf, const std::string& path,
                                 archive_entry* entry, const std::string& name) {
  // A directory over a lower directory merges with it; over anything else, replaces it.
  struct stat st {};
  bool exists = ::fstatat(parent_fd, leaf.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0;
  if (!exists && errno != ENOENT) return SysError("fstatat", path);
  if (exists && !S_ISDIR(st.st_mode)) {
    if (Status removed = Remove(parent_fd, leaf, path); !removed.ok()) return removed;
    exists = false;
  }
  if (!exists && ::mkdirat(parent_fd, leaf.c_str(), 0700) != 0) return SysError("mkdirat", path);
  Result<UniqueFd> fd = OpenChildDirectory(parent_fd, leaf, path);
  if (!fd.ok()) return fd.status();
  if (Status owned = SetOwner(fd->get(), entry, path, name); !owned.ok()) return owned;
  SetXattrs(fd->get(), entry, name);
  directory_modes_[path] = archive_entry_perm(entry);
  ++summary_.directories;
  return Status::Ok();
}

Status Flattener::WriteFile(archive* reader, int parent_fd, const std::string& leaf,
                            const std::string& path, archive_entry* entry,
                            const std::string& name) {
  // Never write into an existing file: it may be a hard link shared with another path.
  if (Status removed = Remove(parent_fd, leaf, path); !removed.ok()) return removed;
  UniqueFd fd(::openat(parent_fd, leaf.c_str(),
                       O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
  if (!fd.valid()) return SysError("openat", path);
  for (;;) {
    const void* block = nullptr;
    size_t size = 0;
    la_int64_t offset = 0;
    int r = archive_read_data_block(reader, &block, &size, &offset);
    if (r == ARCHIVE_EOF) break;
    if (r < ARCHIVE_WARN) return Status::Error(ArchiveError(reader));
    // Blocks come with their offsets: holes of sparse files stay holes.
    for (size_t done = 0; done < size;) {
      ssize_t n = ::pwrite(fd.get(), static_cast<const char*>(block) + done, size - done,
                           offset + static_cast<off_t>(done));
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return SysError("pwrite", path);
      done += static_cast<size_t>(n);
    }
    summary_.bytes += size;
  }
  if (archive_entry_size_is_set(entry) && ::ftruncate(fd.get(), archive_entry_size(entry)) != 0) {
    return SysError("ftruncate", path);
  }
  // chown clears setuid/setgid, and writing clears security.capability: owner, then mode,
  // then xattrs.
  if (Status owned = SetOwner(fd.get(), entry, path, name); !owned.ok()) return owned;
  if (::fchmod(fd.get(), archive_entry_perm(entry)) != 0) return SysError("fchmod", path);
  SetXattrs(fd.get(), entry, name);
  ++summary_.files;
  return Status::Ok();
}

Status Flattener::WriteSymlink(int parent_fd, const std::string& leaf, const std::string& path,
                               archive_entry* entry, const std::string& name) {
  if (Status removed = Remove(parent_fd, leaf, path); !removed.ok()) return removed;
  std::string target = EntryName(archive_entry_symlink(entry), archive_entry_symlink_utf8(entry));
  if (::symlinkat(target.c_str(), parent_fd, leaf.c_str()) != 0) return SysError("symlinkat", path);
  if (is_root_ &&
      ::fchownat(parent_fd, leaf.c_str(), static_cast<uid_t>(archive_entry_uid(entry)),
                 static_cast<gid_t>(archive_entry_gid(entry)), AT_SYMLINK_NOFOLLOW) != 0) {
    return SysError("fchownat", path);
  }
  if (!is_root_ && (archive_entry_uid(entry) != 0 || archive_entry_gid(entry) != 0)) {
    Alter(name, "owner not applied: not running as root");
  }
  if (archive_entry_xattr_count(entry) > 0) Alter(name, "xattrs of a symlink dropped");
  ++summary_.symlinks;
  return Status::Ok();
}

Status Flattener::WriteHardlink(int parent_fd, const std::string& leaf, const std::string& path,
                                archive_entry* entry, const std::string& name) {
  std::string raw = EntryName(archive_entry_hardlink(entry), archive_entry_hardlink_utf8(entry));
  Result<std::string> target = NormalizeEntryPath(raw);
  if (!target.ok()) return target.status().WithContext("hard link to \"" + raw + "\"");
  if (IsMountPoint(*target) || IsBelowMountPoint(*target) ||
      skipped_this_layer_.contains(*target)) {
    Skip(name, "hard link to a skipped entry");
    return Status::Ok();
  }
  if (*target == path) return Status::Ok();
  auto [target_parent, target_leaf] = SplitParent(*target);
  std::string target_name(target_leaf);
  Result<UniqueFd> target_dir =
      root_.OpenDirectory(target_parent, RootDirectory::Missing::kReturnInvalid);
  if (!target_dir.ok()) return target_dir.status().WithContext("hard link to \"" + raw + "\"");
  struct stat st {};
  if (target.value().empty() || !target_dir->valid() ||
      ::fstatat(target_dir->get(), target_name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
    return Status::Error("hard link to \"" + raw + "\", which is not in the image");
  }
  if (S_ISDIR(st.st_mode)) return Status::Error("hard link to the directory \"" + raw + "\"");
  if (Status removed = Remove(parent_fd, leaf, path); !removed.ok()) return removed;
  // Flags 0: link the target itself, even when it is a symlink; never what it points to.
  if (::linkat(target_dir->get(), target_name.c_str(), parent_fd, leaf.c_str(), 0) != 0) {
    return SysError("linkat", path);
  }
  ++summary_.hardlinks;
  return Status::Ok();
}

Status Flattener::SetOwner(int fd, archive_entry* entry, const std::string& path,
                           const std::string& name) {
  la_int64_t uid = archive_entry_uid(entry);
  la_int64_t gid = archive_entry_gid(entry);
  if (is_root_) {
    if (::fchown(fd, static_cast<uid_t>(uid), static_cast<gid_t>(gid)) != 0) {
      return SysError("fchown", path);
    }
  } else if (uid != 0 || gid != 0) {
    Alter(name, "owner " + std::to_string(uid) + ":" + std::to_string(gid) +
                    " not applied: not running as root");
  }
  return Status::Ok();
}

// user.* is the image's own data and security.capability is how file capabilities ship
// (ping, …); trusted.* and security.selinux belong to the build host's policy, not the image's.
void Flattener::SetXattrs(int fd, archive_entry* entry, const std::string& name) {
  if (archive_entry_xattr_reset(entry) == 0) return;
  const char* key = nullptr;
  const void* value = nullptr;
  size_t size = 0;
  // libarchive's pax writer stores each xattr twice (SCHILY.xattr and LIBARCHIVE.xattr), and
  // its reader returns both.
  std::set<std::string_view> seen;
  while (archive_entry_xattr_next(entry, &key, &value, &size) == ARCHIVE_OK) {
    std::string_view k = key;
    if (!seen.insert(k).second) continue;
    if (!k.starts_with("user.") && k != "security.capability") {
      Alter(name,
            "xattr " + std::string(k) + " dropped: only user.* and security.capability are kept");
    } else if (::fsetxattr(fd, key, value, size, 0) != 0) {
      Alter(name,
            "xattr " + std::string(k) + " not kept: " + SysError("fsetxattr", name).message());
    }
  }
}

void Flattener::ForgetDirectoryModes(const std::string& path) {
  directory_modes_.erase(path);
  const std::string prefix = path + "/";
  auto it = directory_modes_.lower_bound(prefix);
  while (it != directory_modes_.end() && it->first.starts_with(prefix))
    it = directory_modes_.erase(it);
}

Status Flattener::SetTimes(int dir_fd, const std::string& path) {
  const timespec times[2] = {{options_.mtime, 0}, {options_.mtime, 0}};
  Result<std::vector<std::string>> children = ListDirectory(dir_fd, path.empty() ? "/" : path);
  if (!children.ok()) return children.status();
  for (const std::string& child : *children) {
    std::string child_path = Join(path, child);
    struct stat st {};
    if (::fstatat(dir_fd, child.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
      return SysError("fstatat", child_path);
    }
    if (S_ISDIR(st.st_mode)) {
      Result<UniqueFd> child_fd = OpenChildDirectory(dir_fd, child, child_path);
      if (!child_fd.ok()) return child_fd.status();
      if (Status set = SetTimes(child_fd->get(), child_path); !set.ok()) return set;
    }
    if (::utimensat(dir_fd, child.c_str(), times, AT_SYMLINK_NOFOLLOW) != 0) {
      return SysError("utimensat", child_path);
    }
  }
  return Status::Ok();
}

Status Flattener::ApplyDirectoryModes() {
  // Reverse order visits "a/b" before "a".
  for (auto it = directory_modes_.rbegin(); it != directory_modes_.rend(); ++it) {
    Result<UniqueFd> fd = root_.OpenDirectory(it->first, RootDirectory::Missing::kReturnInvalid);
    if (!fd.ok()) return fd.status();
    if (fd->valid() && ::fchmod(fd->get(), it->second) != 0) return SysError("fchmod", it->first);
  }
  return Status::Ok();
}

Status Flattener::Finish() {
  for (std::string_view mount_point : kMountPoints) {
    std::string name(mount_point);
    if (::mkdirat(root_.fd(), name.c_str(), 0755) == 0) {
      if (::fchmodat(root_.fd(), name.c_str(), 0755, 0) != 0) return SysError("fchmodat", name);
    } else if (errno != EEXIST) {
      return SysError("mkdirat", name);
    }
  }
  if (Status s = MakePodEtcFiles(); !s.ok()) return s;
  if (::fchmod(root_.fd(), 0755) != 0) return SysError("fchmod", "/");
  if (Status set = SetTimes(root_.fd(), ""); !set.ok()) return set;
  const timespec times[2] = {{options_.mtime, 0}, {options_.mtime, 0}};
  if (::futimens(root_.fd(), times) != 0) return SysError("futimens", "/");
  return ApplyDirectoryModes();
}

// runc bind-mounts the Pod's /etc/hostname, /etc/hosts and /etc/resolv.conf over these. On a
// read-only root it cannot create a missing one (EROFS: a scratch or distroless image does not
// start), and an image's symlink there would steer where runc mounts. So every root gets them
// as empty regular files, whatever the image had there; an /etc that is not a directory
// becomes one.
Status Flattener::MakePodEtcFiles() {
  struct stat st {};
  if (::fstatat(root_.fd(), "etc", &st, AT_SYMLINK_NOFOLLOW) == 0 && !S_ISDIR(st.st_mode)) {
    if (Status s = Remove(root_.fd(), "etc", "etc"); !s.ok()) return s;
    Alter("etc", "replaced by a directory for the Pod's /etc files");
  }
  Result<UniqueFd> etc = root_.OpenDirectory("etc", RootDirectory::Missing::kCreate);
  if (!etc.ok()) return etc.status();
  for (const char* name : kPodEtcFiles) {
    std::string path = std::string("etc/") + name;
    if (Status s = Remove(etc->get(), name, path); !s.ok()) return s;
    int fd = ::openat(etc->get(), name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
    if (fd < 0) return SysError("openat", path);
    UniqueFd file(fd);
    if (::fchmod(file.get(), 0644) != 0) return SysError("fchmod", path);
  }
  return Status::Ok();
}

}  // namespace

Result<FlattenSummary> FlattenLayers(const std::vector<LayerBlob>& layers,
                                     const std::filesystem::path& root,
                                     const FlattenOptions& options) {
  Result<RootDirectory> dir = RootDirectory::Open(root);
  if (!dir.ok()) return dir.status();
  Flattener flattener(std::move(dir).value(), options);
  for (const LayerBlob& layer : layers) {
    if (Status applied = flattener.Apply(layer); !applied.ok()) return applied;
  }
  if (Status finished = flattener.Finish(); !finished.ok()) return finished;
  return std::move(flattener.summary());
}

}  // namespace i2kit
