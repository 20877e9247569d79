#include "host-cli/build_tools.h"

#include <chrono>
#include <filesystem>

#include "common/balancer_plan.h"

namespace i2kit {

void AddBuildToolOptions(CLI::App& sub, BuildTools& tools, BuildToolKernel kernel) {
  if (kernel == BuildToolKernel::kDeclared) {
    sub.add_option("--kernel", tools.kernel,
                   "The kernel (bzImage) to boot; default $I2KIT_KERNEL or "
                   "scripts/build-kernel.sh");
  }
  sub.add_option("--agent", tools.agent, "The static guest agent; default: beside i2kit-host");
  sub.add_option("--ec2-reporter", tools.ec2_reporter,
                 "The static EC2 reporter for disk.raw; default: beside i2kit-host");
  sub.add_option("--ca-bundle", tools.ca_bundle,
                 "The PEM certificates the EC2 reporter trusts for AWS endpoints")
      ->capture_default_str();
  sub.add_option("--runc", tools.runc, "The runc binary to put in the VM")->capture_default_str();
  sub.add_option("--containerd", tools.containerd,
                 "containerd's socket, for registry images; default $CONTAINERD_ADDRESS, else "
                 "/run/containerd/containerd.sock");
  sub.add_option("--registry-hosts", tools.registry_hosts,
                 "containerd's registry hosts directory (HOST[:PORT]/hosts.toml: mirrors, CAs, "
                 "plain HTTP) for pulling registry images; default /etc/containerd/certs.d if it "
                 "exists");
}

Result<PodVmBuildOptions> BuildOptionsFor(const BuildTools& tools, const std::string& output_dir,
                                          const std::function<void(const std::string&)>& progress) {
  PodVmBuildOptions build;
  build.output_dir = output_dir;
  build.runc = tools.runc;
  build.containerd = tools.containerd;
  build.registry_hosts = tools.registry_hosts;
  build.ca_bundle = tools.ca_bundle;
  Result<std::string> kernel =
      tools.kernel.empty() ? DefaultKernel(progress) : Result<std::string>(tools.kernel);
  if (!kernel.ok()) return kernel.status();
  Result<std::string> agent =
      tools.agent.empty() ? DefaultAgent() : Result<std::string>(tools.agent);
  if (!agent.ok()) return agent.status();
  Result<std::string> ec2_reporter =
      tools.ec2_reporter.empty() ? DefaultEc2Reporter() : Result<std::string>(tools.ec2_reporter);
  if (!ec2_reporter.ok()) return ec2_reporter.status();
  build.kernel = *kernel;
  build.agent = *agent;
  build.ec2_reporter = *ec2_reporter;
  return build;
}

Result<std::vector<BuiltDeployment>> BuildDeployments(const std::vector<Deployment>& deployments,
                                                      const Manifest& manifest,
                                                      const BuildTools& tools,
                                                      const std::string& output_dir, EventLog& log,
                                                      bool terminal) {
  std::vector<BuiltDeployment> built;
  if (deployments.empty()) return built;
  // Decided once for the whole manifest, before anything is built.
  Result<std::vector<ServicePlan>> services = PlanServices(manifest);
  if (!services.ok()) return services.status();
  StepProgress steps(log, terminal);
  Result<PodVmBuildOptions> found =
      BuildOptionsFor(tools, output_dir, [&](const std::string& line) { steps.Step(line); });
  if (!found.ok()) return found.status().WithContext("building " + deployments.front().name);
  PodVmBuildOptions options = *found;
  options.config_maps = manifest.config_maps;
  options.services = std::move(services).value();
  for (const Deployment& d : deployments) {
    options.progress = [&](const std::string& line) { steps.Step(d.name + ": " + line); };
    options.warning = [&](const std::string& line) { steps.Event(d.name + ": warning: " + line); };
    auto start = std::chrono::steady_clock::now();
    BuiltDeployment one;
    Result<VmArtifacts> artifacts = BuildPodVm(d, options, &one.reused);
    if (!artifacts.ok()) return artifacts.status().WithContext("building " + d.name);
    one.artifacts = *std::move(artifacts);
    one.dir = std::filesystem::absolute(std::filesystem::path(output_dir) / d.name)
                  .lexically_normal()
                  .string();
    one.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    built.push_back(std::move(one));
  }
  return built;
}

}  // namespace i2kit
