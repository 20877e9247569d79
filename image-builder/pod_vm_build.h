// Builds the Pod VM of one Deployment: every container image flattened and packed as a
// read-only EROFS disk, the initrd (guest agent as /init, runc and its libraries, the Pod
// spec), the kernel, and vm.json describing them (vm_artifacts.h).
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "common/balancer_plan.h"
#include "common/pod_model.h"
#include "common/status.h"
#include "common/vm_artifacts.h"

namespace i2kit {

struct PodVmBuildOptions {
  std::string output_dir;  // the artifacts go to OUTPUT_DIR/<deployment>/
  std::string kernel;      // a bzImage
  std::string agent;       // the static i2kit-agent binary
  // The static i2kit-ec2-reporter and the CA bundle it verifies AWS with: the boot disk's EC2
  // partition (pod_vm.h kEc2PartitionName).
  std::string ec2_reporter;
  std::string ca_bundle = "/etc/ssl/certs/ca-certificates.crt";
  std::string runc = "/usr/sbin/runc";
  // containerd's socket, for registry images; empty: $CONTAINERD_ADDRESS, else the default.
  std::string containerd;
  // The registry hosts directory the pull reads; empty: /etc/containerd/certs.d if it exists.
  std::string registry_hosts;
  // The manifest's ConfigMaps: the Pod spec carries those the deployment refers to (Secrets
  // are never given here: they reach the agent at boot).
  std::vector<ConfigObject> config_maps;
  // The manifest's Service plan (common/balancer_plan.h), written into vm.json as it is.
  std::vector<ServicePlan> services;
  // Called with one line per step ("flattening web: 3 layers"), for the user.
  std::function<void(const std::string&)> progress;
  // Called with what the user must see whatever the steps (a layer entry skipped, and why).
  std::function<void(const std::string&)> warning;
};

// Builds into a temporary directory beside the final one and renames it into place, so a
// failed build never leaves a half-written VM where `run` would find it. Artifacts already
// there built from the same inputs (build_key.h) are reused instead, their vm.json given the
// deployment's replicas and rollout rules; `*reused` (if given) tells which happened.
Result<VmArtifacts> BuildPodVm(const Deployment& deployment, const PodVmBuildOptions& options,
                               bool* reused = nullptr);

// Where the kernel, the agent and runc are found when the user does not say: `--kernel`, then
// $I2KIT_KERNEL, then the kernel cached by scripts/build-kernel.sh of this source tree (built
// first if it is not cached, `progress` told before); the agent beside the running i2kit-host.
// The direct-boot twin of the bzImage at `kernel`: scripts/build-kernel.sh keeps the same
// kernel's stripped vmlinux beside it in its cache directory, so a file named "vmlinux" beside
// one named "bzImage" is taken as it, recorded with both digests (vm_artifacts.h). Empty when
// there is none (a kernel given by --kernel from elsewhere).
Result<DirectKernel> DirectKernelBeside(const std::string& kernel);

Result<std::string> DefaultKernel(const std::function<void(const std::string&)>& progress = {});
Result<std::string> DefaultAgent();
Result<std::string> DefaultEc2Reporter();

}  // namespace i2kit
