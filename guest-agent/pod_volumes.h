// The Pod's volumes, made at boot while the agent may still mount (it cannot once confined):
// each one a tmpfs of its own under the agent's run directory, which lives in RAM like
// everything of the Pod VM. emptyDir: empty, mode 0777, never larger than its sizeLimit;
// configMap, secret and downwardAPI: the files written atomically with their modes, then the
// tmpfs remounted read-only. With fsGroup, every volume is group-owned by it with group
// access (setgid directories), as the kubelet does. A container sees a volume only if it
// mounts it: nothing else of the run directory is in its root.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/pod_model.h"
#include "common/status.h"
#include "guest-agent/env_resolution.h"

namespace i2kit {

// One file of a configMap, secret or downwardAPI volume.
struct VolumeFile {
  std::string path;  // relative to the volume's root (CheckVolumePath)
  std::string content;
  int mode = 0644;
};

// A path inside a volume: relative, not empty, no "." or ".." component, no empty component.
Status CheckVolumePath(const std::string& path);

// The files of a configMap, secret or downwardAPI `volume` (none for emptyDir): every key, or
// the items; a missing object or item key leaves the volume without it when `optional`, else
// is an error naming it. Modes: the item's, else the volume's default_mode.
Result<std::vector<VolumeFile>> VolumeFiles(const Volume& volume, const EnvSources& sources);

// Writes `files` below `dir`, each atomically (a temporary file renamed into place) with its
// exact mode; parent directories are made 0755.
Status WriteVolumeFiles(const std::string& dir, const std::vector<VolumeFile>& files);

// The kubelet's fsGroup ownership of a volume at `dir`: everything group-owned by `gid`,
// files given group read (read-only volumes) or read-write, directories also group search
// and setgid, so that what a container creates inherits the group. With `on_root_mismatch`
// nothing changes when the root already has the group, setgid and the group bits.
Status ApplyFsGroup(const std::string& dir, int64_t gid, bool read_only, bool on_root_mismatch);

// The size of an emptyDir without sizeLimit: an eighth of the VM's memory, as for a
// container's writable layer (container_root.h): memory is the VM's only storage, and a
// full emptyDir must leave the agent and the containers theirs.
int64_t DefaultEmptyDirBytes(int64_t vm_memory_bytes);

struct PodVolumes {
  // Volume name → its directory. Persistent volumes are disks, not tmpfs: the agent adds
  // theirs from MountPersistentVolumes (persistent_volume.h).
  std::map<std::string, std::string> paths;
  std::map<std::string, std::string> errors;  // volume name → why it has no content
};

// Mounts and fills every volume of `pod` but the persistent ones under `dir` (e.g.
// /run/i2kit/volumes). A volume whose ConfigMap, Secret or key is missing (and not optional) is in
// `errors`: the containers that mount it cannot start, the Pod VM still boots. Failing to mount is
// an error.
Result<PodVolumes> MountPodVolumes(const std::string& dir, const Deployment& pod,
                                   const EnvSources& sources, int64_t vm_memory_bytes);

// One bind mount into a container.
struct ContainerMount {
  std::string destination;
  std::string source;
  bool read_only = false;
};

// The file or directory `sub_path` inside the volume at `volume_dir`, which must stay inside
// it once symlinks are resolved; when missing and `create`, it is made as a directory with the
// mode and group of the volume's root (the kubelet does so for emptyDir and persistent
// volumes).
Result<std::string> SubPathSource(const std::string& volume_dir, const std::string& sub_path,
                                  bool create);

// `container`'s volumeMounts as bind mounts, parents before what is mounted inside them.
// configMap, secret and downwardAPI volumes are always read-only, as in Kubernetes. A subPath
// is resolved now and bind-mounted below `subpath_dir`, so that what a container later puts in
// an emptyDir (a symlink in its place) cannot steer a mount. Fails when a volume is missing
// or has an error in `volumes`.
Result<std::vector<ContainerMount>> ContainerVolumeMounts(const Container& container,
                                                          const Deployment& pod,
                                                          const PodVolumes& volumes,
                                                          const std::string& subpath_dir);

}  // namespace i2kit
