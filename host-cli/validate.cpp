// i2kit-host validate FILE...: reads manifests, prints every problem as
// FILE:LINE:COLUMN: error: what (expected), and with --output json the normalized model.
#include <memory>
#include <ostream>

#include "common/manifest_reader.h"
#include "common/pod_model_json.h"
#include "host-cli/command.h"

namespace i2kit {
namespace {

struct ValidateOptions {
  std::vector<std::string> files;
  std::string output = "text";
  bool strict = false;
};

std::string Plural(size_t n, const char* word) {
  return std::to_string(n) + " " + word + (n == 1 ? "" : "s");
}

ExitCode RunValidate(const ValidateOptions& options, Console& console) {
  LoadedManifest loaded = LoadManifests(options.files, ReadOptions{options.strict});
  for (const Diagnostic& d : loaded.diagnostics.all()) console.err << d.Format() << "\n";
  if (!loaded.ok()) {
    console.err << "invalid: "
                << Plural(static_cast<size_t>(loaded.diagnostics.error_count()), "error") << "\n";
    return ExitCode::kFailure;
  }
  if (options.output == "json") {
    console.out << ToJsonText(loaded.manifest) << "\n";
    return ExitCode::kOk;
  }
  for (const Deployment& d : loaded.manifest.deployments) {
    console.out << "deployment " << d.name << ": "
                << Plural(static_cast<size_t>(d.replicas), "replica") << ", "
                << Plural(d.containers.size(), "container") << " (" << d.location.file << ")\n";
  }
  for (const Service& s : loaded.manifest.services) {
    console.out << "service " << s.name << ": " << ServiceTypeName(s.type) << ", "
                << Plural(s.ports.size(), "port") << " (" << s.location.file << ")\n";
  }
  return ExitCode::kOk;
}

}  // namespace

CommandRunner SetupValidate(CLI::App& sub) {
  auto options = std::make_shared<ValidateOptions>();
  sub.add_option("files", options->files,
                 "Manifest files (i2kit or Kubernetes YAML, several documents each)")
      ->required();
  sub.add_option("-o,--output", options->output, "Output format")
      ->check(CLI::IsMember({"text", "json"}));
  sub.add_flag("--strict", options->strict,
               "Treat unknown fields, and kinds and fields with no meaning in a Pod VM, as errors");
  sub.footer("Exit status: 0 valid, 1 invalid, 2 usage error.");
  return [options](Console& console) { return RunValidate(*options, console); };
}

}  // namespace i2kit
