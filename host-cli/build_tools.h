// What the verbs that build Pod VMs share (build, and run, push, deploy and diff, which build
// what is missing or stale first): the --kernel, --agent, --ec2-reporter, --ca-bundle, --runc,
// --containerd and --registry-hosts options, and building deployments with their steps shown.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <string>
#include <vector>

#include "common/event_log.h"
#include "common/pod_model.h"
#include "image-builder/pod_vm_build.h"

namespace i2kit {

struct BuildTools {
  std::string kernel;        // empty: DefaultKernel()
  std::string agent;         // empty: DefaultAgent()
  std::string ec2_reporter;  // empty: DefaultEc2Reporter()
  std::string ca_bundle = PodVmBuildOptions().ca_bundle;
  std::string runc = "/usr/sbin/runc";
  std::string containerd;
  std::string registry_hosts;
};

// Whether AddBuildToolOptions declares --kernel (run has its own, which also boots it).
enum class BuildToolKernel { kDeclared, kOmitted };

// Declares --kernel, --agent, --ec2-reporter, --ca-bundle, --runc, --containerd and
// --registry-hosts on `sub`.
void AddBuildToolOptions(CLI::App& sub, BuildTools& tools,
                         BuildToolKernel kernel = BuildToolKernel::kDeclared);

// The options that build into `output_dir` with `tools`, the default kernel, agent and reporter
// found (`progress` is told before the kernel is built, which takes minutes once); fails saying
// where they were looked for.
Result<PodVmBuildOptions> BuildOptionsFor(
    const BuildTools& tools, const std::string& output_dir,
    const std::function<void(const std::string&)>& progress = {});

// One deployment as BuildDeployments left it.
struct BuiltDeployment {
  std::string dir;  // its artifacts directory
  VmArtifacts artifacts;
  bool reused = false;  // up to date: nothing was built
  double seconds = 0;   // what checking (and building) it took
};

// Each of `deployments` (of `manifest`) built into OUTPUT_DIR/<name>/ with `tools`, the
// ConfigMaps they refer to and the manifest's Service plan (common/balancer_plan.h, written into
// vm.json so that `run` never reads the manifest again) — or, when the artifacts there were built
// from the same inputs (build_key.h), reused as they are. Each step goes to `log` before it starts
// ("web: flattening …", redrawn in place with its time on a terminal, one line each otherwise);
// errors begin "building NAME: ".
Result<std::vector<BuiltDeployment>> BuildDeployments(const std::vector<Deployment>& deployments,
                                                      const Manifest& manifest,
                                                      const BuildTools& tools,
                                                      const std::string& output_dir, EventLog& log,
                                                      bool terminal);

}  // namespace i2kit
