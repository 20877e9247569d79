// i2kit-host build FILE... [-o DIR]: builds the Pod VM of every Deployment in the manifests
// and prints each artifact with its size, and the build time.
#include <chrono>
#include <filesystem>
#include <memory>
#include <ostream>

#include "common/balancer_plan.h"
#include "common/manifest_reader.h"
#include "host-cli/artifacts_location.h"
#include "host-cli/build_tools.h"
#include "host-cli/command.h"
#include "host-cli/event_log.h"
#include "host-cli/pod_secrets_file.h"

namespace i2kit {
namespace {

struct BuildCommandOptions {
  std::vector<std::string> files;
  std::string output = kDefaultOutputDir;
  BuildTools tools;
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
  // Decided once here, so `run` reads the Services from vm.json, not from the manifest.
  Result<std::vector<ServicePlan>> services = PlanServices(loaded.manifest);
  if (!services.ok()) {
    console.err << "i2kit-host: " << services.status().message() << "\n";
    return ExitCode::kFailure;
  }
  Result<PodVmBuildOptions> build = BuildOptionsFor(options.tools, options.output);
  if (!build.ok()) {
    console.err << "i2kit-host: " << build.status().message() << "\n";
    return ExitCode::kFailure;
  }
  PodVmBuildOptions build_options = *build;
  build_options.config_maps = loaded.manifest.config_maps;
  build_options.services = std::move(services).value();
  EventLog log(console.err, IsTerminal(console.err));
  for (const Deployment& d : loaded.manifest.deployments) {
    auto start = std::chrono::steady_clock::now();
    Result<VmArtifacts> artifacts =
        BuildShowingSteps(d, build_options, log, IsTerminal(console.err));
    if (!artifacts.ok()) {
      console.err << "i2kit-host: " << artifacts.status().message() << "\n";
      return ExitCode::kFailure;
    }
    std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
    std::filesystem::path dir = std::filesystem::path(options.output) / d.name;
    if (Status s = WritePodSecretsFile(dir.string(), d, loaded.manifest.secrets); !s.ok()) {
      console.err << "i2kit-host: " << s.message() << "\n";
      return ExitCode::kFailure;
    }
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
  AddBuildToolOptions(sub, options->tools);
  sub.footer("Exit status: 0 built, 1 invalid manifest or failed build, 2 usage error.");
  return [options](Console& console) { return RunBuild(*options, console); };
}

}  // namespace i2kit
