// The OCI runtime-spec config.json of one container, for runc 1.1: what runs (process_spec.h),
// as whom and with which privileges (capabilities.h, seccomp_profile.h, no_new_privs), in
// which namespaces, with which mounts and resource limits. A pure function of its inputs, so
// that the whole file is checked by a golden test.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "common/image_config.h"
#include "common/pod_model.h"
#include "common/status.h"
#include "guest-agent/localhost_seccomp_profile.h"

namespace i2kit {

// The runtime-spec version written; runc 1.1 implements 1.0.2.
inline constexpr const char* kOciVersion = "1.0.2";

// What the agent knows about a container only when it runs it.
struct RuntimeSpecInputs {
  std::string rootfs;        // root.path: the mounted root filesystem, absolute
  std::string hostname;      // the Pod's hostname, shared by its containers
  std::string cgroups_path;  // linux.cgroupsPath, e.g. "/i2kit/web"
  // Files the agent wrote for the Pod, bind-mounted read-only at /etc/resolv.conf, /etc/hosts
  // and /etc/hostname; an empty path is not mounted.
  std::string resolv_conf;
  std::string hosts;
  std::string hostname_file;
  // The image's /etc/passwd and /etc/group, for its User and supplementary groups.
  std::string passwd;
  std::string group;
  std::string seccomp_profile_root = kDefaultSeccompProfileRoot;  // for Localhost profiles
  // The Pod's volumes as this container mounts them (pod_volumes.h): bind mounts, after the
  // standard ones, each nosuid and nodev, and read-only when asked.
  struct VolumeBind {
    std::string destination;
    std::string source;
    bool read_only = false;
  };
  std::vector<VolumeBind> volume_binds;
  // Groups every process of the Pod gets besides its own: fsGroup, then supplementalGroups.
  std::vector<int64_t> pod_groups;
  // linux.resources.pids.limit; 0 = no limit. Counts threads too: 4096 is far above what a
  // server uses and still stops a fork bomb before it starves the Pod's other containers.
  int64_t pids_limit = 4096;
};

// Builds config.json for `container` run from an image with config `image`. Least privilege
// unless the manifest asks for more: the default capabilities (capabilities.h), no_new_privs
// unless allowPrivilegeEscalation is true, the RuntimeDefault seccomp profile, and /proc and
// /sys paths that reach the kernel masked or read-only. Namespaces: pid, ipc, uts, mount and
// cgroup; never network — the Pod's containers share the VM's network, and the Pod's IP is
// the VM's. Errors name the container.
Result<nlohmann::ordered_json> BuildRuntimeSpec(const Container& container,
                                                const ImageConfig& image,
                                                const RuntimeSpecInputs& inputs);

}  // namespace i2kit
