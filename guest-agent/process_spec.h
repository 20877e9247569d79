// What a container's process runs: its image's config merged with its manifest by Kubernetes'
// rules — command replaces the Entrypoint (and drops the image's Cmd), args replaces the Cmd,
// $(VAR) references expand from the manifest's env, and manifest env overrides image env.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "common/image_config.h"
#include "common/pod_model.h"
#include "common/status.h"
#include "guest-agent/container_user.h"

namespace i2kit {

// The OCI process fields args, env, cwd and user.
struct ProcessSpec {
  std::vector<std::string> args;
  std::vector<std::string> env;  // "NAME=VALUE"
  std::string cwd;
  ContainerUser user;
};

// Where programs are found when the image sets no PATH (Docker's and containerd's default).
inline constexpr const char* kDefaultPath =
    "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

// Merges `container` with `image`:
// - args: command + args when command is set; else the image's Entrypoint + (args, or else
//   the image's Cmd). $(VAR) in command and args expands from the manifest's env only, as the
//   kubelet never sees the image's env. Empty args are an error naming the container.
// - env: HOSTNAME=`hostname`, then the image's env, then the manifest's env (each manifest
//   value first expanded from the manifest variables before it); a later name replaces the
//   value of an earlier one in place. PATH=kDefaultPath is added first when nothing set PATH.
// - cwd: the manifest's workingDir, else the image's WorkingDir, else "/"; must be absolute.
// - user: ResolveContainerUser with `passwd` and `group`, the image's /etc files.
Result<ProcessSpec> BuildProcessSpec(const Container& container, const ImageConfig& image,
                                     const std::string& hostname, std::string_view passwd,
                                     std::string_view group);

// Kubernetes' expansion: "$(NAME)" becomes the value of NAME in `vars`; a reference to a name
// not in `vars` stays as written; "$$" becomes "$" (so "$$(NAME)" yields "$(NAME)"); any other
// "$" is kept.
std::string ExpandVariableReferences(std::string_view input,
                                     const std::map<std::string, std::string>& vars);

}  // namespace i2kit
