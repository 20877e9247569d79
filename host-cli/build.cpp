// i2kit-host build FILE... [-o DIR]: builds the Pod VM of every Deployment in the manifests
// (reusing one already built from the same inputs) and prints each artifact with its size,
// and the build time.
#include <filesystem>
#include <memory>
#include <ostream>

#include "common/balancer_plan.h"
#include "common/event_log.h"
#include "common/manifest_reader.h"
#include "host-cli/artifacts_location.h"
#include "host-cli/build_tools.h"
#include "host-cli/command.h"
#include "local-vm/pod_secrets_file.h"

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
  EventLog log(console.err, IsTerminal(console.err));
  Result<std::vector<BuiltDeployment>> built =
      BuildDeployments(loaded.manifest.deployments, loaded.manifest, options.tools, options.output,
                       log, IsTerminal(console.err));
  if (!built.ok()) {
    console.err << "i2kit-host: " << built.status().message() << "\n";
    return ExitCode::kFailure;
  }
  for (size_t i = 0; i < built->size(); ++i) {
    const BuiltDeployment& b = (*built)[i];
    const VmArtifacts& artifacts = b.artifacts;
    if (Status s =
            WritePodSecretsFile(b.dir, loaded.manifest.deployments[i], loaded.manifest.secrets);
        !s.ok()) {
      console.err << "i2kit-host: " << s.message() << "\n";
      return ExitCode::kFailure;
    }
    std::filesystem::path dir = std::filesystem::path(options.output) / artifacts.deployment;
    console.out << artifacts.deployment << ": "
                << (b.reused ? "up to date, checked in " : "built in ")
                << static_cast<int>(b.seconds * 10) / 10.0 << " s → " << dir.string() << "\n";
    std::vector<std::string> files = {artifacts.kernel, artifacts.initrd};
    files.insert(files.end(), artifacts.disks.begin(), artifacts.disks.end());
    if (!artifacts.boot_disk.empty()) files.push_back(artifacts.boot_disk);
    for (const std::string& f : files) console.out << "  " << f << "  " << Size(dir / f) << "\n";
    console.out << "  image " << artifacts.image_digest << "\n";
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
