// i2kit-host deploy FILE... [--ami AMI]: the manifests as one CloudFormation stack — created,
// or updated through a change set whose summary is shown first, then followed event by event
// until it settles. A deployment without --ami is pushed first (built if it is missing or
// stale, and its disk made an AMI, see push.cpp). Before the stack is touched, a preflight reads
// the account and refuses what would fail (account_preflight.h). --dry-run prints the template and
// calls nothing. Before it changes anything it shows what the stack runs and an estimate of its
// monthly cost (monthly_estimate.h); --format json prints the result and the estimate as JSON.
#include <memory>
#include <ostream>

#include "aws-deploy/account_preflight.h"
#include "aws-deploy/aws_session.h"
#include "aws-deploy/image_digests.h"
#include "aws-deploy/monthly_estimate.h"
#include "aws-deploy/stack_rollout.h"
#include "aws-deploy/stack_volumes.h"
#include "aws-deploy/startup_failures.h"
#include "aws-deploy/template_bucket.h"
#include "aws-deploy/volume_zone.h"
#include "host-cli/ami_push.h"
#include "host-cli/command.h"
#include "host-cli/manifest_stack.h"

namespace i2kit {
namespace {

struct DeployOptions {
  ManifestStackOptions manifest;
  AmiPushOptions push;
  AwsOptions aws;
  bool dry_run = false;
  std::string format = "text";
};

ExitCode Fail(Console& console, const std::string& message) {
  if (!message.empty()) console.err << "i2kit-host deploy: " << message << "\n";
  return ExitCode::kFailure;
}

ExitCode RunDeploy(DeployOptions& options, Console& console) {
  LazyAwsSession session(options.aws, console.err);
  EventLog log(console.err, IsTerminal(console.err));
  if (!options.dry_run) {
    options.push.poll_interval = PollTiming(options.aws).poll_interval;
    options.manifest.images_for =
        [&](const std::vector<Deployment>& deployments,
            const Manifest& manifest) -> Result<std::map<std::string, std::string>> {
      Result<std::vector<std::string>> dirs =
          BuiltArtifacts(deployments, manifest, options.push.tools, options.push.output_dir, log,
                         IsTerminal(console.err));
      if (!dirs.ok()) return dirs.status();
      Result<AwsSession*> opened = session.Get();
      if (!opened.ok()) return opened.status();
      Result<std::map<std::string, std::string>> amis =
          PushArtifacts(*dirs, **opened, log, options.push);
      if (!amis.ok()) return amis;
      Result<std::map<std::string, std::string>> digests = ImageDigestsOf(*amis, *dirs);
      if (!digests.ok()) return digests.status();
      options.manifest.stack.image_digests = std::move(digests).value();
      return amis;
    };
  }
  Result<StackChange> change = LoadStackChange(options.manifest, console);
  if (!change.ok()) return Fail(console, change.status().message());
  bool json = options.format == "json";
  std::vector<StackVolume> volumes = StackVolumes(change->stack_template);
  if (options.dry_run) {
    // No session: the estimate is for --region, else us-east-1, and counts no NAT gateway.
    MonthlyEstimate estimate = EstimateMonthlyCost(
        change->stack_template, options.aws.region.empty() ? "us-east-1" : options.aws.region,
        std::nullopt);
    if (json) {
      nlohmann::ordered_json out{{"template", change->stack_template},
                                 {"volumes", StackVolumesJson(volumes)},
                                 {"estimate", EstimateJson(estimate)}};
      console.out << out.dump(2) << "\n";
      return ExitCode::kOk;
    }
    console.out << change->stack_template.dump(2) << "\n";
    for (const std::string& line : FormatStackVolumes(volumes)) console.err << line << "\n";
    for (const std::string& line : FormatEstimate(estimate)) console.err << line << "\n";
    return ExitCode::kOk;
  }
  Result<AwsSession*> opened = session.Get();
  if (!opened.ok()) return Fail(console, opened.status().message());
  AwsSession& aws_session = **opened;
  Status pinned = PinVolumeZone(change.value(), aws_session);
  if (!pinned.ok()) return Fail(console, pinned.message());
  for (const std::string& line : FormatStackVolumes(volumes)) log.Event(line);
  std::optional<bool> nat_needed;
  Status ready =
      CheckAccountReady(*change, options.manifest.stack.domain, aws_session, log, &nat_needed);
  MonthlyEstimate estimate =
      EstimateMonthlyCost(change->stack_template, aws_session.region(), nat_needed);
  for (const std::string& line : FormatEstimate(estimate)) log.Event(line);
  if (!ready.ok()) return Fail(console, ready.message());
  StackRollout rollout(aws_session.cloudformation(), log, PollTiming(options.aws));
  rollout.StageLargeTemplatesWith([&](const std::string& stack, const std::string& body) {
    return StageTemplate(aws_session.context(), stack, body, log);
  });
  aws::CloudWatchLogsClient logs(aws_session.context());
  rollout.ExplainGroupFailuresWith([&](std::chrono::sys_seconds began) {
    Result<std::vector<std::string>> reasons =
        StartupFailureReasons(logs, change->stack_name, change->deployments, began);
    if (reasons.ok()) return *reasons;
    return std::vector<std::string>{"why the instances did not start is not known: " +
                                    reasons.status().message()};
  });
  Result<aws::Stack> deployed = rollout.Deploy(*change);
  if (!deployed.ok()) return Fail(console, deployed.status().message());
  if (json) {
    nlohmann::ordered_json outputs = nlohmann::ordered_json::object();
    for (const aws::StackOutput& output : deployed->outputs) outputs[output.key] = output.value;
    nlohmann::ordered_json out{{"stack", deployed->name},
                               {"status", deployed->status},
                               {"region", aws_session.region()},
                               {"outputs", outputs},
                               {"volumes", StackVolumesJson(volumes)},
                               {"estimate", EstimateJson(estimate)}};
    console.out << out.dump(2) << "\n";
    return ExitCode::kOk;
  }
  console.out << "stack " << deployed->name << " " << deployed->status << " in "
              << aws_session.region() << "\n";
  for (const aws::StackOutput& output : deployed->outputs) {
    console.out << "  " << output.key << " = " << output.value << "\n";
  }
  return ExitCode::kOk;
}

}  // namespace

CommandRunner SetupDeploy(CLI::App& sub) {
  auto options = std::make_shared<DeployOptions>();
  AddManifestStackOptions(sub, options->manifest);
  sub.add_flag("--dry-run", options->dry_run, "Print the CloudFormation template; call nothing");
  sub.add_option("--format", options->format,
                 "text, or json: the stack, its outputs and the cost estimate (with --dry-run: "
                 "the template and the estimate) as one JSON document")
      ->check(CLI::IsMember({"text", "json"}))
      ->capture_default_str();
  AddAmiPushOptions(sub, options->push);
  AddAwsOptions(sub, options->aws);
  sub.footer(
      "Exit status: 0 stack created, updated or already up to date (or template printed), 1 "
      "invalid manifest or options, AWS error, or a failed and rolled back stack, 2 usage error.");
  return [options](Console& console) { return RunDeploy(*options, console); };
}

}  // namespace i2kit
