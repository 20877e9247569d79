// i2kit-host diff FILE... [--ami AMI]: what deploy would change in the stack — the change
// set's summary — and nothing changed: the change set (and the empty stack a new one needs) is
// deleted afterwards. A deployment given no --ami is shown with the AMI a push would reuse: its
// image is built first when missing or stale (locally, as push would, to know its digest), and
// diff never uploads, so without an AMI of that digest it says to push.
// It runs deploy's preflight first: what deploy would refuse, diff refuses too. It ends with what
// the stack would run and an estimate of its monthly cost (monthly_estimate.h); --format json
// prints both as JSON.
#include <memory>
#include <ostream>
#include <sstream>

#include "aws-deploy/account_preflight.h"
#include "aws-deploy/aws_session.h"
#include "aws-deploy/image_digests.h"
#include "aws-deploy/monthly_estimate.h"
#include "aws-deploy/stack_rollout.h"
#include "aws-deploy/stack_volumes.h"
#include "aws-deploy/template_bucket.h"
#include "aws-deploy/volume_zone.h"
#include "host-cli/ami_push.h"
#include "host-cli/artifacts_location.h"
#include "host-cli/build_tools.h"
#include "host-cli/command.h"
#include "host-cli/manifest_stack.h"

namespace i2kit {
namespace {

struct DiffOptions {
  ManifestStackOptions manifest;
  AwsOptions aws;
  std::string output_dir = kDefaultOutputDir;  // where push finds the built deployments
  BuildTools tools;                            // for the deployments missing or stale
  std::string format = "text";
};

ExitCode Fail(Console& console, const std::string& message) {
  if (!message.empty()) console.err << "i2kit-host diff: " << message << "\n";
  return ExitCode::kFailure;
}

ExitCode RunDiff(DiffOptions& options, Console& console) {
  LazyAwsSession session(options.aws, console.err);
  EventLog log(console.err, IsTerminal(console.err));
  options.manifest.images_for =
      [&](const std::vector<Deployment>& deployments,
          const Manifest& manifest) -> Result<std::map<std::string, std::string>> {
    // The digest a push would tag is the one of the build the manifest gives now.
    Result<std::vector<std::string>> built = BuiltArtifacts(
        deployments, manifest, options.tools, options.output_dir, log, IsTerminal(console.err));
    if (!built.ok()) return built.status();
    Result<AwsSession*> opened = session.Get();
    if (!opened.ok()) return opened.status();
    Result<std::map<std::string, std::string>> amis =
        PushedImages(deployments, options.output_dir, **opened);
    if (!amis.ok()) return amis;
    // The same digests deploy would tag with.
    Result<std::map<std::string, std::string>> digests = ImageDigestsOf(*amis, *built);
    if (!digests.ok()) return digests.status();
    options.manifest.stack.image_digests = std::move(digests).value();
    return amis;
  };
  Result<StackChange> change = LoadStackChange(options.manifest, console);
  if (!change.ok()) return Fail(console, change.status().message());
  Result<AwsSession*> opened = session.Get();
  if (!opened.ok()) return Fail(console, opened.status().message());
  Status pinned = PinVolumeZone(change.value(), **opened);
  if (!pinned.ok()) return Fail(console, pinned.message());
  std::vector<StackVolume> volumes = StackVolumes(change->stack_template);
  std::optional<bool> nat_needed;
  Status ready =
      CheckAccountReady(*change, options.manifest.stack.domain, **opened, log, &nat_needed);
  MonthlyEstimate estimate =
      EstimateMonthlyCost(change->stack_template, (*opened)->region(), nat_needed);
  if (!ready.ok()) {
    for (const std::string& line : FormatEstimate(estimate)) log.Event(line);
    return Fail(console, ready.message());
  }
  StackRollout rollout((*opened)->cloudformation(), log, PollTiming(options.aws));
  rollout.StageLargeTemplatesWith([&](const std::string& stack, const std::string& body) {
    return StageTemplate((*opened)->context(), stack, body, log);
  });
  std::ostringstream changes;
  Status shown = rollout.Diff(*change, changes);
  if (!shown.ok()) return Fail(console, shown.message());
  if (options.format == "json") {
    nlohmann::ordered_json lines = nlohmann::ordered_json::array();
    std::istringstream text(changes.str());
    for (std::string line; std::getline(text, line);) lines.push_back(line);
    nlohmann::ordered_json out{{"stack", change->stack_name},
                               {"changes", lines},
                               {"volumes", StackVolumesJson(volumes)},
                               {"estimate", EstimateJson(estimate)}};
    console.out << out.dump(2) << "\n";
    return ExitCode::kOk;
  }
  console.out << changes.str();
  for (const std::string& line : FormatStackVolumes(volumes)) console.out << line << "\n";
  for (const std::string& line : FormatEstimate(estimate)) console.out << line << "\n";
  return ExitCode::kOk;
}

}  // namespace

CommandRunner SetupDiff(CLI::App& sub) {
  auto options = std::make_shared<DiffOptions>();
  AddManifestStackOptions(sub, options->manifest);
  AddAwsOptions(sub, options->aws);
  sub.add_option("-o,--output", options->output_dir,
                 "Where the Pod VMs are built: DIR/<deployment>/ (built there first when missing "
                 "or stale), whose image digest names the AMI of a deployment given no --ami")
      ->capture_default_str();
  AddBuildToolOptions(sub, options->tools);
  sub.add_option("--format", options->format,
                 "text, or json: the changes and the cost estimate as one JSON document")
      ->check(CLI::IsMember({"text", "json"}))
      ->capture_default_str();
  sub.footer(
      "Exit status: 0 changes shown (or none), 1 invalid manifest or options or an AWS "
      "error, 2 usage error.");
  return [options](Console& console) { return RunDiff(*options, console); };
}

}  // namespace i2kit
