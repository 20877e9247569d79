// i2kit-host diff FILE... --ami AMI: what deploy would change in the stack — the change set's
// summary — and nothing changed: the change set (and the empty stack a new one needs) is
// deleted afterwards.
#include <memory>
#include <ostream>

#include "host-cli/aws_session.h"
#include "host-cli/change_set_request.h"
#include "host-cli/command.h"
#include "host-cli/manifest_stack.h"
#include "host-cli/stack_rollout.h"

namespace i2kit {
namespace {

struct DiffOptions {
  ManifestStackOptions manifest;
  std::vector<std::string> parameters;
  AwsOptions aws;
};

ExitCode Fail(Console& console, const std::string& message) {
  if (!message.empty()) console.err << "i2kit-host diff: " << message << "\n";
  return ExitCode::kFailure;
}

ExitCode RunDiff(DiffOptions& options, Console& console) {
  Result<ManifestStack> stack = LoadManifestStack(options.manifest, console);
  if (!stack.ok()) return Fail(console, stack.status().message());
  Result<std::map<std::string, std::string>> parameters =
      ParseParameterAssignments(options.parameters);
  if (!parameters.ok()) return Fail(console, parameters.status().message());
  Result<std::unique_ptr<AwsSession>> session = AwsSession::Open(options.aws, console.err);
  if (!session.ok()) return Fail(console, session.status().message());
  EventLog log(console.err, IsTerminal(console.err));
  StackRollout rollout((*session)->cloudformation(), log, PollTiming(options.aws));
  Status shown = rollout.Diff(
      {stack->name, std::move(stack->stack_template), std::move(*parameters)}, console.out);
  if (!shown.ok()) return Fail(console, shown.message());
  return ExitCode::kOk;
}

}  // namespace

CommandRunner SetupDiff(CLI::App& sub) {
  auto options = std::make_shared<DiffOptions>();
  AddManifestStackOptions(sub, options->manifest);
  sub.add_option("--parameter", options->parameters,
                 "KEY=VALUE for a template parameter, as for deploy; repeatable")
      ->allow_extra_args(false);
  AddAwsOptions(sub, options->aws);
  sub.footer("Exit status: 0 changes shown (or none), 1 invalid manifest or options or an AWS "
             "error, 2 usage error.");
  return [options](Console& console) { return RunDiff(*options, console); };
}

}  // namespace i2kit
