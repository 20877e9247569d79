// i2kit-host build FILE... [-o DIR]: builds the Pod VM of every Deployment in the manifests
// and prints each artifact with its size, and the build time.
#include <chrono>
#include <filesystem>
#include <memory>
#include <ostream>

#include "common/manifest_reader.h"
#include "host-cli/command.h"
#include "host-cli/event_log.h"
#include "host-cli/pod_vm_build.h"

namespace i2kit {
namespace {

struct BuildCommandOptions {
  std::vector<std::string> files;
  std::string output = "i2kit-out";
  std::string kernel;
  std::string agent;
  std::string runc = "/usr/sbin/runc";
  std::string containerd;
};

std::string Size(const std::filesystem::path& file) {
  std::error_code ec;
  uintmax_t bytes = std::filesystem::file_size(file, ec);
  return FormatMebibytes(ec ? 0 : bytes);
}

ExitCode RunBuild(const BuildCommandOptions& options, Console& console) {
  LoadedManifest loaded = LoadManifests(options.files, {});
  for (const Diagnostic& d : loaded.diagnostics.all()) console.err << d.Format() << "\n";
  if (!loaded.ok()) return ExitCode::kFailure;
  PodVmBuildOptions build;
  build.output_dir = options.output;
  build.runc = options.runc;
  build.containerd = options.containerd;
  Result<std::string> kernel =
      options.kernel.empty() ? DefaultKernel() : Result<std::string>(options.kernel);
  Result<std::string> agent =
      options.agent.empty() ? DefaultAgent() : Result<std::string>(options.agent);
  for (const Result<std::string>* r : {&kernel, &agent}) {
    if (!r->ok()) {
      console.err << "i2kit-host: " << r->status().message() << "\n";
      return ExitCode::kFailure;
    }
  }
  build.kernel = *kernel;
  build.agent = *agent;
  EventLog log(console.err, IsTerminal(console.err));
  for (const Deployment& d : loaded.manifest.deployments) {
    auto start = std::chrono::steady_clock::now();
    Result<VmArtifacts> artifacts = [&] {
      StepProgress steps(log, IsTerminal(console.err));
      build.progress = [&](const std::string& line) { steps.Step(d.name + ": " + line); };
      build.warning = [&](const std::string& line) { steps.Event(d.name + ": warning: " + line); };
      return BuildPodVm(d, build);
    }();
    if (!artifacts.ok()) {
      console.err << "i2kit-host: building " << d.name << ": " << artifacts.status().message()
                  << "\n";
      return ExitCode::kFailure;
    }
    std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
    std::filesystem::path dir = std::filesystem::path(options.output) / d.name;
    console.out << d.name << ": built in " << static_cast<int>(took.count() * 10) / 10.0 << " s → "
                << dir.string() << "\n";
    std::vector<std::string> files = {artifacts->kernel, artifacts->initrd};
    files.insert(files.end(), artifacts->disks.begin(), artifacts->disks.end());
    if (!artifacts->boot_disk.empty()) files.push_back(artifacts->boot_disk);
    for (const std::string& f : files) console.out << "  " << f << "  " << Size(dir / f) << "\n";
    console.out << "  image " << artifacts->image_digest << "\n";
  }
  return ExitCode::kOk;
}

}  // namespace

CommandRunner SetupBuild(CLI::App& sub) {
  auto options = std::make_shared<BuildCommandOptions>();
  sub.add_option("files", options->files, "Manifest files")->required();
  sub.add_option("-o,--output", options->output, "Where the artifacts go: DIR/<deployment>/")
      ->capture_default_str();
  sub.add_option("--kernel", options->kernel,
                 "The kernel (bzImage) to boot; default $I2KIT_KERNEL or scripts/build-kernel.sh");
  sub.add_option("--agent", options->agent, "The static guest agent; default: beside i2kit-host");
  sub.add_option("--runc", options->runc, "The runc binary to put in the VM")
      ->capture_default_str();
  sub.add_option("--containerd", options->containerd,
                 "containerd's socket, for registry images; default $CONTAINERD_ADDRESS, else "
                 "/run/containerd/containerd.sock");
  sub.footer("Exit status: 0 built, 1 invalid manifest or failed build, 2 usage error.");
  return [options](Console& console) { return RunBuild(*options, console); };
}

}  // namespace i2kit
