// i2kit-host diff FILE... [--ami AMI]: what deploy would change in the stack — the change
// set's summary — and nothing changed: the change set (and the empty stack a new one needs) is
// deleted afterwards. A deployment given no --ami is shown with the AMI a push would reuse
// (its built image digest's); diff never builds or uploads, so without one it says to push.
// It runs deploy's preflight first: what deploy would refuse, diff refuses too.
#include <filesystem>
#include <memory>
#include <ostream>

#include "host-cli/account_preflight.h"
#include "host-cli/ami_push.h"
#include "host-cli/artifacts_location.h"
#include "host-cli/aws_session.h"
#include "host-cli/command.h"
#include "host-cli/image_digests.h"
#include "host-cli/manifest_stack.h"
#include "host-cli/stack_rollout.h"

namespace i2kit {
namespace {

struct DiffOptions {
  ManifestStackOptions manifest;
  AwsOptions aws;
  std::string output_dir = kDefaultOutputDir;  // where push finds the built deployments
};

ExitCode Fail(Console& console, const std::string& message) {
  if (!message.empty()) console.err << "i2kit-host diff: " << message << "\n";
  return ExitCode::kFailure;
}

ExitCode RunDiff(DiffOptions& options, Console& console) {
  LazyAwsSession session(options.aws, console.err);
  options.manifest.images_for = [&](const std::vector<Deployment>& deployments)
      -> Result<std::map<std::string, std::string>> {
    Result<AwsSession*> opened = session.Get();
    if (!opened.ok()) return opened.status();
    Result<std::map<std::string, std::string>> amis =
        PushedImages(deployments, options.output_dir, **opened);
    if (!amis.ok()) return amis;
    // Pushed images are built there: the same digests deploy would tag with.
    std::vector<std::string> dirs;
    for (const Deployment& d : deployments) {
      dirs.push_back((std::filesystem::path(options.output_dir) / d.name).string());
    }
    Result<std::map<std::string, std::string>> digests = ImageDigestsOf(*amis, dirs);
    if (!digests.ok()) return digests.status();
    options.manifest.stack.image_digests = std::move(digests).value();
    return amis;
  };
  Result<StackChange> change = LoadStackChange(options.manifest, console);
  if (!change.ok()) return Fail(console, change.status().message());
  Result<AwsSession*> opened = session.Get();
  if (!opened.ok()) return Fail(console, opened.status().message());
  EventLog log(console.err, IsTerminal(console.err));
  Status ready = CheckAccountReady(*change, options.manifest.stack.domain, **opened, log);
  if (!ready.ok()) return Fail(console, ready.message());
  StackRollout rollout((*opened)->cloudformation(), log, PollTiming(options.aws));
  Status shown = rollout.Diff(*change, console.out);
  if (!shown.ok()) return Fail(console, shown.message());
  return ExitCode::kOk;
}

}  // namespace

CommandRunner SetupDiff(CLI::App& sub) {
  auto options = std::make_shared<DiffOptions>();
  AddManifestStackOptions(sub, options->manifest);
  AddAwsOptions(sub, options->aws);
  sub.add_option("-o,--output", options->output_dir,
                 "Where push built the Pod VMs: DIR/<deployment>/, whose image digest names the "
                 "AMI of a deployment given no --ami")
      ->capture_default_str();
  sub.footer(
      "Exit status: 0 changes shown (or none), 1 invalid manifest or options or an AWS "
      "error, 2 usage error.");
  return [options](Console& console) { return RunDiff(*options, console); };
}

}  // namespace i2kit
