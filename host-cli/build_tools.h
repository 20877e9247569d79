// What the verbs that build Pod VMs share (build, and push and deploy for a deployment not
// built yet): the --kernel, --agent, --ec2-reporter, --ca-bundle, --runc, --containerd and
// --registry-hosts options, and building one deployment with its steps shown.
#pragma once

#include <CLI/CLI.hpp>
#include <string>

#include "common/event_log.h"
#include "common/pod_model.h"
#include "image-builder/pod_vm_build.h"

namespace i2kit {

struct BuildTools {
  std::string kernel;  // empty: DefaultKernel()
  std::string agent;   // empty: DefaultAgent()
  std::string ec2_reporter;  // empty: DefaultEc2Reporter()
  std::string ca_bundle = PodVmBuildOptions().ca_bundle;
  std::string runc = "/usr/sbin/runc";
  std::string containerd;
  std::string registry_hosts;
};

// Declares --kernel, --agent, --ec2-reporter, --ca-bundle, --runc, --containerd and
// --registry-hosts on `sub`.
void AddBuildToolOptions(CLI::App& sub, BuildTools& tools);

// The options that build into `output_dir` with `tools`, the default kernel, agent and reporter
// found;
// fails saying where they were looked for.
Result<PodVmBuildOptions> BuildOptionsFor(const BuildTools& tools, const std::string& output_dir);

// Builds `deployment` with `options`, each step on `log` ("web: flattening …", redrawn in place
// on a terminal) and warnings as events; errors begin "building NAME: ".
Result<VmArtifacts> BuildShowingSteps(const Deployment& deployment, PodVmBuildOptions options,
                                      EventLog& log, bool terminal);

}  // namespace i2kit
