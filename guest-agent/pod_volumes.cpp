#include "guest-agent/pod_volumes.h"

#include <fcntl.h>
#include <stdlib.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstring>

#include "common/sys_error.h"
#include "common/unique_fd.h"
#include "guest-agent/file_tree.h"

namespace i2kit {
namespace {

const char* VolumeKind(VolumeType type) {
  return type == VolumeType::kSecret ? "Secret" : "ConfigMap";
}

// Written into a volume with `data` when not `optional`: every key, or the items.
Result<std::vector<VolumeFile>> KeyFiles(const Volume& volume, const ConfigObject* object) {
  std::vector<VolumeFile> files;
  std::string what = std::string(VolumeKind(volume.type)) + " " + volume.object_name;
  if (object == nullptr) {
    if (volume.optional) return files;
    return Status::Error("volume " + volume.name + ": " + what + " not found");
  }
  if (volume.items.empty()) {
    for (const auto& [key, value] : object->data) {
      files.push_back({key, value, volume.default_mode});
    }
    return files;
  }
  for (const VolumeItem& item : volume.items) {
    auto found = object->data.find(item.key);
    if (found == object->data.end()) {
      if (volume.optional) continue;
      return Status::Error("volume " + volume.name + ": " + what + " has no key " + item.key);
    }
    files.push_back({item.path, found->second, item.mode.value_or(volume.default_mode)});
  }
  return files;
}

// Makes the directories above `path` (relative to `dir`), each 0755 whatever the umask.
Status MakeParents(const std::string& dir, const std::string& path) {
  for (size_t slash = path.find('/'); slash != std::string::npos;
       slash = path.find('/', slash + 1)) {
    std::string parent = dir + "/" + path.substr(0, slash);
    if (Status s = MakeDirectories(parent); !s.ok()) return s;
    if (::chmod(parent.c_str(), 0755) != 0) return SysError("chmod", parent);
  }
  return Status::Ok();
}

Status WriteAtomically(const std::string& target, const VolumeFile& file) {
  std::string temp = target.substr(0, target.rfind('/') + 1) + ".i2kit-XXXXXX";
  UniqueFd fd(::mkostemp(temp.data(), O_CLOEXEC));
  if (!fd.valid()) return SysError("mkstemp", temp);
  size_t done = 0;
  while (done < file.content.size()) {
    ssize_t n = ::write(fd.get(), file.content.data() + done, file.content.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      Status s = SysError("write", temp);
      ::unlink(temp.c_str());
      return s;
    }
    done += static_cast<size_t>(n);
  }
  // fchmod, not the umask-filtered create mode: the mode must be exact.
  if (::fchmod(fd.get(), static_cast<mode_t>(file.mode & 07777)) != 0 ||
      ::rename(temp.c_str(), target.c_str()) != 0) {
    Status s = SysError("fchmod/rename", target);
    ::unlink(temp.c_str());
    return s;
  }
  return Status::Ok();
}

// What `path` must have for fsGroup: group bits, and for a directory search and setgid.
mode_t FsGroupMask(bool is_dir, bool read_only) {
  mode_t mask = read_only ? 0440 : 0660;
  if (is_dir) mask |= S_ISGID | 0110;
  return mask;
}

Status ChangeTree(const std::string& path, gid_t gid, bool read_only) {
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0) return SysError("lstat", path);
  if (::lchown(path.c_str(), static_cast<uid_t>(-1), gid) != 0) return SysError("lchown", path);
  if (S_ISLNK(st.st_mode)) return Status::Ok();
  bool is_dir = S_ISDIR(st.st_mode);
  if (::chmod(path.c_str(), (st.st_mode & 07777) | FsGroupMask(is_dir, read_only)) != 0) {
    return SysError("chmod", path);
  }
  if (!is_dir) return Status::Ok();
  Result<std::vector<std::string>> names = ListDirectory(path);
  if (!names.ok()) return names.status();
  for (const std::string& name : *names) {
    if (Status s = ChangeTree(path + "/" + name, gid, read_only); !s.ok()) return s;
  }
  return Status::Ok();
}

int64_t ContentBytes(const std::vector<VolumeFile>& files) {
  // A page per file and directory at least, and room for the temporaries of the renames.
  int64_t bytes = 64 * 1024;
  for (const VolumeFile& f : files) {
    bytes += 2 * (static_cast<int64_t>(f.content.size()) + 4096);
  }
  return bytes;
}

Status MountTmpfs(const std::string& dir, int64_t bytes, const char* mode) {
  if (Status s = MakeDirectories(dir); !s.ok()) return s;
  // At least one page: tmpfs reads size=0 as no limit at all.
  std::string options = "size=" + std::to_string(std::max<int64_t>(bytes, 4096)) + ",mode=" + mode;
  if (::mount("tmpfs", dir.c_str(), "tmpfs", MS_NOSUID | MS_NODEV, options.c_str()) != 0) {
    return SysError("mount tmpfs " + options, dir);
  }
  return Status::Ok();
}

// Written by the agent and read-only to containers; emptyDir and persistent volumes are theirs.
bool IsContentVolume(VolumeType type) {
  return type == VolumeType::kConfigMap || type == VolumeType::kSecret ||
         type == VolumeType::kDownwardApi;
}

const Volume* FindVolume(const Deployment& pod, const std::string& name) {
  for (const Volume& v : pod.volumes) {
    if (v.name == name) return &v;
  }
  return nullptr;
}

size_t Depth(const std::string& path) {
  return std::count(path.begin(), path.end(), '/');
}

}  // namespace

Status CheckVolumePath(const std::string& path) {
  if (path.empty() || path.front() == '/') {
    return Status::Error("path '" + path + "' is not relative");
  }
  size_t start = 0;
  while (start <= path.size()) {
    size_t end = path.find('/', start);
    if (end == std::string::npos) end = path.size();
    std::string part = path.substr(start, end - start);
    if (part.empty() || part == "." || part == "..") {
      return Status::Error("path '" + path + "' has a '" + part + "' component");
    }
    start = end + 1;
  }
  return Status::Ok();
}

Result<std::vector<VolumeFile>> VolumeFiles(const Volume& volume, const EnvSources& sources) {
  static const std::vector<ConfigObject> kNone;
  std::vector<VolumeFile> files;
  switch (volume.type) {
    case VolumeType::kEmptyDir:
    case VolumeType::kPersistent:
      return files;
    case VolumeType::kConfigMap:
    case VolumeType::kSecret: {
      const std::vector<ConfigObject>* objects =
          volume.type == VolumeType::kSecret ? sources.secrets : sources.config_maps;
      Result<std::vector<VolumeFile>> keys =
          KeyFiles(volume, FindConfigObject(objects ? *objects : kNone, volume.object_name));
      if (!keys.ok()) return keys.status();
      files = std::move(keys).value();
      break;
    }
    case VolumeType::kDownwardApi:
      if (sources.facts == nullptr || sources.pod == nullptr) {
        return Status::Error("volume " + volume.name + ": the Pod's fields are unknown here");
      }
      for (const VolumeItem& item : volume.items) {
        Result<std::string> value = ResolvePodField(item.field, *sources.facts, *sources.pod, "");
        if (!value.ok()) return value.status().WithContext("volume " + volume.name);
        files.push_back({item.path, *value, item.mode.value_or(volume.default_mode)});
      }
      break;
  }
  for (const VolumeFile& f : files) {
    if (Status s = CheckVolumePath(f.path); !s.ok()) {
      return s.WithContext("volume " + volume.name);
    }
  }
  return files;
}

Status WriteVolumeFiles(const std::string& dir, const std::vector<VolumeFile>& files) {
  for (const VolumeFile& f : files) {
    if (Status s = CheckVolumePath(f.path); !s.ok()) return s;
    if (Status s = MakeParents(dir, f.path); !s.ok()) return s;
    if (Status s = WriteAtomically(dir + "/" + f.path, f); !s.ok()) return s;
  }
  return Status::Ok();
}

Status ApplyFsGroup(const std::string& dir, int64_t gid, bool read_only, bool on_root_mismatch) {
  if (on_root_mismatch) {
    struct stat st {};
    if (::stat(dir.c_str(), &st) != 0) return SysError("stat", dir);
    mode_t mask = FsGroupMask(true, read_only);
    if (st.st_gid == static_cast<gid_t>(gid) && (st.st_mode & mask) == mask) return Status::Ok();
  }
  return ChangeTree(dir, static_cast<gid_t>(gid), read_only);
}

int64_t DefaultEmptyDirBytes(int64_t vm_memory_bytes) {
  return std::max<int64_t>(vm_memory_bytes, 0) / 8;
}

Result<PodVolumes> MountPodVolumes(const std::string& dir, const Deployment& pod,
                                   const EnvSources& sources, int64_t vm_memory_bytes) {
  PodVolumes volumes;
  const PodSecurityContext& security = pod.pod_security;
  for (const Volume& volume : pod.volumes) {
    if (volume.type == VolumeType::kPersistent) continue;  // persistent_volume.h mounts them
    std::string path = dir + "/" + volume.name;
    Result<std::vector<VolumeFile>> files = VolumeFiles(volume, sources);
    if (!files.ok()) {
      volumes.errors[volume.name] = files.status().message();
      continue;
    }
    bool content = IsContentVolume(volume.type);
    int64_t bytes = content
                        ? ContentBytes(*files)
                        : volume.size_limit_bytes.value_or(DefaultEmptyDirBytes(vm_memory_bytes));
    if (Status s = MountTmpfs(path, bytes, content ? "0755" : "0777"); !s.ok()) return s;
    if (Status s = WriteVolumeFiles(path, *files); !s.ok()) {
      return s.WithContext("volume " + volume.name);
    }
    if (security.fs_group) {
      Status s =
          ApplyFsGroup(path, *security.fs_group, content, security.fs_group_on_root_mismatch);
      if (!s.ok()) return s.WithContext("volume " + volume.name);
    }
    if (content && ::mount(nullptr, path.c_str(), nullptr,
                           MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV, nullptr) != 0) {
      return SysError("remount read-only", path);
    }
    volumes.paths[volume.name] = path;
  }
  return volumes;
}

Result<std::string> SubPathSource(const std::string& volume_dir, const std::string& sub_path,
                                  bool create) {
  if (Status s = CheckVolumePath(sub_path); !s.ok()) return s.WithContext("subPath");
  std::string path = volume_dir + "/" + sub_path;
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0) {
    if (errno != ENOENT || !create) return SysError("subPath lstat", path);
    struct stat root {};
    if (::stat(volume_dir.c_str(), &root) != 0) return SysError("stat", volume_dir);
    if (Status s = MakeDirectories(path, root.st_mode & 07777); !s.ok()) return s;
    // mkdir's mode passes the umask; the kubelet gives the volume root's mode and group.
    if (::chmod(path.c_str(), root.st_mode & 07777) != 0 ||
        ::lchown(path.c_str(), static_cast<uid_t>(-1), root.st_gid) != 0) {
      return SysError("chmod/chown", path);
    }
  }
  char real_root[PATH_MAX], real_path[PATH_MAX];
  if (::realpath(volume_dir.c_str(), real_root) == nullptr) return SysError("realpath", volume_dir);
  if (::realpath(path.c_str(), real_path) == nullptr) return SysError("realpath", path);
  std::string root_prefix = std::string(real_root) + "/";
  if (!std::string(real_path).starts_with(root_prefix)) {
    return Status::Error("subPath '" + sub_path + "' leaves its volume");
  }
  return std::string(real_path);
}

Result<std::vector<ContainerMount>> ContainerVolumeMounts(const Container& container,
                                                          const Deployment& pod,
                                                          const PodVolumes& volumes,
                                                          const std::string& subpath_dir) {
  std::vector<ContainerMount> mounts;
  for (size_t i = 0; i < container.volume_mounts.size(); ++i) {
    const VolumeMount& m = container.volume_mounts[i];
    const Volume* volume = FindVolume(pod, m.name);
    if (volume == nullptr) return Status::Error("volumeMount " + m.name + ": no such volume");
    if (auto error = volumes.errors.find(m.name); error != volumes.errors.end()) {
      return Status::Error(error->second);
    }
    auto path = volumes.paths.find(m.name);
    if (path == volumes.paths.end()) return Status::Error("volume " + m.name + " is not mounted");
    ContainerMount mount{m.mount_path, path->second, m.read_only || IsContentVolume(volume->type)};
    if (!m.sub_path.empty()) {
      Result<std::string> source =
          SubPathSource(path->second, m.sub_path, !IsContentVolume(volume->type));
      if (!source.ok()) return source.status().WithContext("volumeMount " + m.mount_path);
      // Bound now, before any container runs: the mount holds what the path was at boot.
      std::string target = subpath_dir + "/" + container.name + "/" + std::to_string(i);
      if (Status s = MakeDirectories(subpath_dir + "/" + container.name); !s.ok()) return s;
      struct stat st {};
      if (::stat(source->c_str(), &st) != 0) return SysError("stat", *source);
      if (S_ISDIR(st.st_mode)) {
        if (Status s = MakeDirectories(target); !s.ok()) return s;
      } else {
        UniqueFd placeholder(::open(target.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0600));
        if (!placeholder.valid()) return SysError("open", target);
      }
      if (::mount(source->c_str(), target.c_str(), nullptr, MS_BIND, nullptr) != 0) {
        return SysError("bind mount " + *source, target);
      }
      mount.source = target;
    }
    mounts.push_back(std::move(mount));
  }
  std::stable_sort(mounts.begin(), mounts.end(),
                   [](const ContainerMount& a, const ContainerMount& b) {
                     return Depth(a.destination) < Depth(b.destination);
                   });
  return mounts;
}

}  // namespace i2kit
