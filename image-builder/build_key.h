// The build key of a Pod VM: one digest over everything its build reads — the Pod's spec as
// the image carries it (the ConfigMaps it refers to included; not its rollout rules, which are
// no part of the image), each container image's content address, and the bytes of the kernel,
// the agent, runc and the libraries it loads, the EC2 reporter, the CA bundle, the boot
// loaders, the packing tools and the builder itself. The build is reproducible (the same inputs
// give the same bytes), so artifacts whose vm.json records the key of the inputs at hand are
// what a new build would write: they are reused, and any changed input rebuilds them.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/pod_model.h"
#include "common/pod_spec.h"
#include "common/status.h"
#include "common/vm_artifacts.h"
#include "image-builder/pod_vm_build.h"

namespace i2kit {

// One input of a build: what it is ("kernel /path", "image httpd") and its digest.
struct BuildInput {
  std::string name;
  std::string digest;
};

// `name` as PATH finds it, through symlinks ("mformat" is mtools); "" when it is not there.
std::string ToolPath(const std::string& name);

// The key of `inputs`, in their order: "sha256:<hex>". Pure.
std::string BuildKeyOf(const std::vector<BuildInput>& inputs);

// The Pod spec that `deployment`'s image carries before its container images are read: the
// deployment without its rollout rules (scaling or a new maxSurge is no new image, as in
// Kubernetes) and the ConfigMaps of `config_maps` it refers to. Pure.
PodSpec ImageSpecOf(const Deployment& deployment, const std::vector<ConfigObject>& config_maps);

// Reads every input of building `deployment` with `options`: hashes the files, and looks up
// each image's content address without reading its layers (an OCI layout's index.json, a
// docker archive's bytes, containerd's image record after the pull imagePullPolicy Always
// makes). An image containerd does not hold yet has no address: the key is then nullopt, and
// only the build (which pulls it) can tell.
Result<std::optional<std::string>> BuildKeyFor(const Deployment& deployment,
                                               const PodVmBuildOptions& options);

// The artifacts in `dir` if its vm.json records `key` and every file it names is there;
// nullopt otherwise (never built, built from other inputs, or damaged).
std::optional<VmArtifacts> ReusableBuild(const std::string& dir, const std::string& key);

}  // namespace i2kit
