#include "host-cli/build_tools.h"

namespace i2kit {

void AddBuildToolOptions(CLI::App& sub, BuildTools& tools) {
  sub.add_option("--kernel", tools.kernel,
                 "The kernel (bzImage) to boot; default $I2KIT_KERNEL or scripts/build-kernel.sh");
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

Result<PodVmBuildOptions> BuildOptionsFor(const BuildTools& tools, const std::string& output_dir) {
  PodVmBuildOptions build;
  build.output_dir = output_dir;
  build.runc = tools.runc;
  build.containerd = tools.containerd;
  build.registry_hosts = tools.registry_hosts;
  build.ca_bundle = tools.ca_bundle;
  Result<std::string> kernel =
      tools.kernel.empty() ? DefaultKernel() : Result<std::string>(tools.kernel);
  if (!kernel.ok()) return kernel.status();
  Result<std::string> agent =
      tools.agent.empty() ? DefaultAgent() : Result<std::string>(tools.agent);
  if (!agent.ok()) return agent.status();
  Result<std::string> ec2_reporter = tools.ec2_reporter.empty()
                                         ? DefaultEc2Reporter()
                                         : Result<std::string>(tools.ec2_reporter);
  if (!ec2_reporter.ok()) return ec2_reporter.status();
  build.kernel = *kernel;
  build.agent = *agent;
  build.ec2_reporter = *ec2_reporter;
  return build;
}

Result<VmArtifacts> BuildShowingSteps(const Deployment& deployment, PodVmBuildOptions options,
                                      EventLog& log, bool terminal) {
  StepProgress steps(log, terminal);
  options.progress = [&](const std::string& line) { steps.Step(deployment.name + ": " + line); };
  options.warning = [&](const std::string& line) {
    steps.Event(deployment.name + ": warning: " + line);
  };
  Result<VmArtifacts> artifacts = BuildPodVm(deployment, options);
  if (!artifacts.ok()) return artifacts.status().WithContext("building " + deployment.name);
  return artifacts;
}

}  // namespace i2kit
