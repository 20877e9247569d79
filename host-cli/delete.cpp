// i2kit-host delete NAME: deletes the stack NAME and waits until it is gone, event by event.
#include <memory>
#include <ostream>

#include "aws-deploy/aws_session.h"
#include "aws-deploy/stack_rollout.h"
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
  if (deleted.ok()) {
    EventLog log(console.err, IsTerminal(console.err));
    StackRollout rollout((*session)->cloudformation(), log, PollTiming(options.aws));
    deleted = rollout.Delete(options.stack_name);
  }
  if (!deleted.ok()) {
    console.err << "i2kit-host delete: " << deleted.message() << "\n";
    return ExitCode::kFailure;
  }
  return ExitCode::kOk;
}

}  // namespace

CommandRunner SetupDelete(CLI::App& sub) {
  auto options = std::make_shared<DeleteOptions>();
  sub.add_option("name", options->stack_name, "The stack (deploy's --stack-name)")->required();
  AddAwsOptions(sub, options->aws);
  sub.footer("Exit status: 0 deleted (or there was no such stack), 1 the deletion failed or an "
             "AWS error, 2 usage error.");
  return [options](Console& console) { return RunDelete(*options, console); };
}

}  // namespace i2kit
