// Who a container's process runs as: the manifest's runAsUser/runAsGroup, or else the image's
// User, resolved the way containerd resolves it for Kubernetes — against the image's own
// /etc/passwd and /etc/group, given here as text so that resolving stays a pure function.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "common/image_config.h"
#include "common/pod_model.h"
#include "common/status.h"

namespace i2kit {

// The OCI process.user fields.
struct ContainerUser {
  uint32_t uid = 0;
  uint32_t gid = 0;
  // The primary group first (as initgroups(3) does), then every group of /etc/group that lists
  // the user's name as a member. runc sets exactly these with setgroups(2).
  std::vector<uint32_t> additional_gids;
  bool operator==(const ContainerUser&) const = default;
};

// Resolves the user of `container`:
// - uid: runAsUser, else the image's User: "" is root, "uid" or "uid:gid" numbers, "name" or
//   "name:group" names looked up in `passwd` (a name it lacks is an error);
// - gid: runAsGroup, else the image's group part when runAsUser is unset (a number, or a name
//   looked up in `group`), else the user's group in `passwd`, else 0.
// runAsNonRoot with a resulting uid 0 is an error that names the container.
Result<ContainerUser> ResolveContainerUser(const Container& container, const ImageConfig& image,
                                           std::string_view passwd, std::string_view group);

}  // namespace i2kit
