// i2kit-host diff FILE... --ami AMI: what deploy would change in the stack — the change set's
// summary — and nothing changed: the change set (and the empty stack a new one needs) is
// deleted afterwards.
#include <memory>
#include <ostream>

#include "host-cli/aws_session.h"
#include "host-cli/command.h"
#include "host-cli/manifest_stack.h"
#include "host-cli/stack_rollout.h"

namespace i2kit {
namespace {

struct DiffOptions {
  ManifestStackOptions manifest;
  AwsOptions aws;
};

ExitCode Fail(Console& console, const std::string& message) {
  if (!message.empty()) console.err << "i2kit-host diff: " << message << "\n";
  return ExitCode::kFailure;
}

ExitCode RunDiff(DiffOptions& options, Console& console) {
  Result<StackChange> change = LoadStackChange(options.manifest, console);
  if (!change.ok()) return Fail(console, change.status().message());
  Result<std::unique_ptr<AwsSession>> session = AwsSession::Open(options.aws, console.err);
  if (!session.ok()) return Fail(console, session.status().message());
  EventLog log(console.err, IsTerminal(console.err));
  StackRollout rollout((*session)->cloudformation(), log, PollTiming(options.aws));
  Status shown = rollout.Diff(*change, console.out);
  if (!shown.ok()) return Fail(console, shown.message());
  return ExitCode::kOk;
}

}  // namespace

CommandRunner SetupDiff(CLI::App& sub) {
  auto options = std::make_shared<DiffOptions>();
  AddManifestStackOptions(sub, options->manifest);
  AddAwsOptions(sub, options->aws);
  sub.footer("Exit status: 0 changes shown (or none), 1 invalid manifest or options or an AWS "
             "error, 2 usage error.");
  return [options](Console& console) { return RunDiff(*options, console); };
}

}  // namespace i2kit
