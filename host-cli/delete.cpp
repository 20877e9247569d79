// i2kit-host delete NAME: deletes the stack NAME and waits until it is gone, event by event. A
// stack's persistent volumes go too, each after CloudFormation snapshots it (DeletionPolicy
// Snapshot): delete then says which snapshots it kept and how to list and remove them.
#include <memory>
#include <ostream>

#include "aws-deploy/aws_session.h"
#include "aws-deploy/stack_rollout.h"
#include "aws-deploy/stack_volumes.h"
#include "host-cli/command.h"

namespace i2kit {
namespace {

struct DeleteOptions {
  std::string stack_name;
  AwsOptions aws;
};

ExitCode RunDelete(const DeleteOptions& options, Console& console) {
  Result<std::unique_ptr<AwsSession>> session = AwsSession::Open(options.aws, console.err);
  Status deleted = session.ok() ? Status::Ok() : session.status();
  std::vector<std::string> volume_ids;
  if (deleted.ok()) {
    // Read first: once the stack is gone, so is the record of its volumes.
    aws::CloudFormationClient& cfn = (*session)->cloudformation();
    Result<std::optional<aws::Stack>> stack = cfn.DescribeStack(options.stack_name);
    if (!stack.ok()) deleted = stack.status();
    if (stack.ok() && *stack) {
      Result<std::vector<aws::StackResource>> resources =
          cfn.DescribeStackResources(options.stack_name);
      if (resources.ok()) {
        volume_ids = VolumeIds(*resources);
      } else {
        deleted = resources.status();
      }
    }
  }
  if (deleted.ok()) {
    EventLog log(console.err, IsTerminal(console.err));
    StackRollout rollout((*session)->cloudformation(), log, PollTiming(options.aws));
    deleted = rollout.Delete(options.stack_name);
  }
  if (!deleted.ok()) {
    console.err << "i2kit-host delete: " << deleted.message() << "\n";
    return ExitCode::kFailure;
  }
  for (const std::string& line :
       KeptSnapshotsMessage(options.stack_name, volume_ids, (*session)->region())) {
    console.out << line << "\n";
  }
  return ExitCode::kOk;
}

}  // namespace

CommandRunner SetupDelete(CLI::App& sub) {
  auto options = std::make_shared<DeleteOptions>();
  sub.add_option("name", options->stack_name, "The stack (deploy's --stack-name)")->required();
  AddAwsOptions(sub, options->aws);
  sub.footer(
      "Exit status: 0 deleted (or there was no such stack), 1 the deletion failed or an "
      "AWS error, 2 usage error.");
  return [options](Console& console) { return RunDelete(*options, console); };
}

}  // namespace i2kit
