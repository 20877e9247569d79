// i2kit-host push FILE|DIR... [-o DIR]: the Pod VM of every deployment as an AMI — built under
// DIR first if it is missing or stale (a manifest's; a directory is pushed as it is), its disk.raw
// uploaded through the EBS direct APIs and registered, or the AMI already registered for the same
// image digest reused — printing each deployment's AMI ID.
#include <memory>
#include <ostream>

#include "common/manifest_reader.h"
#include "host-cli/ami_push.h"
#include "host-cli/command.h"

namespace i2kit {
namespace {

struct PushOptions {
  std::vector<std::string> paths;
  AmiPushOptions push;
  AwsOptions aws;
};

ExitCode Fail(Console& console, const std::string& message) {
  if (!message.empty()) console.err << "i2kit-host push: " << message << "\n";
  return ExitCode::kFailure;
}

ExitCode RunPush(PushOptions& options, Console& console) {
  options.push.poll_interval = PollTiming(options.aws).poll_interval;
  EventLog log(console.err, IsTerminal(console.err));
  std::vector<std::string> dirs, manifests;
  for (const std::string& path : options.paths) {
    std::string dir = ArtifactsDirOf(path);
    (dir.empty() ? manifests : dirs).push_back(dir.empty() ? path : dir);
  }
  if (!manifests.empty()) {
    LoadedManifest loaded = LoadManifests(manifests, ReadOptions{});
    for (const Diagnostic& d : loaded.diagnostics.all()) console.err << d.Format() << "\n";
    if (!loaded.ok()) return Fail(console, "");  // the diagnostics said why
    Result<std::vector<std::string>> built =
        BuiltArtifacts(loaded.manifest.deployments, loaded.manifest, options.push.tools,
                       options.push.output_dir, log, IsTerminal(console.err));
    if (!built.ok()) return Fail(console, built.status().message());
    dirs.insert(dirs.end(), built->begin(), built->end());
  }
  Result<std::unique_ptr<AwsSession>> session = AwsSession::Open(options.aws, console.err);
  if (!session.ok()) return Fail(console, session.status().message());
  Result<std::map<std::string, std::string>> images =
      PushArtifacts(dirs, **session, log, options.push);
  if (!images.ok()) return Fail(console, images.status().message());
  for (const auto& [deployment, image_id] : *images) {
    console.out << deployment << " " << image_id << "\n";
  }
  return ExitCode::kOk;
}

}  // namespace

CommandRunner SetupPush(CLI::App& sub) {
  auto options = std::make_shared<PushOptions>();
  sub.add_option("paths", options->paths,
                 "Manifest files (their deployments built under -o first when missing or "
                 "stale), or artifacts directories (pushed as they are)")
      ->required();
  AddAmiPushOptions(sub, options->push);
  AddAwsOptions(sub, options->aws);
  sub.footer(
      "Prints 'DEPLOYMENT AMI-ID' per deployment. Exit status: 0 every AMI registered or "
      "reused, 1 invalid manifest, failed build, AWS error or failed upload, 2 usage error.");
  return [options](Console& console) { return RunPush(*options, console); };
}

}  // namespace i2kit
