// i2kit-host policy push|deploy: prints the least-privilege IAM policy a user or a CI role
// needs for push, or for deploy, diff, status and delete (aws-deploy/aws_permissions.h).
#include <memory>
#include <ostream>

#include "aws-deploy/aws_permissions.h"
#include "host-cli/command.h"

namespace i2kit {

CommandRunner SetupPolicy(CLI::App& sub) {
  auto flow = std::make_shared<std::string>();
  sub.add_option("flow", *flow,
                 "push (AMIs), or deploy (deploy, diff, status, delete; a deploy without --ami "
                 "pushes too)")
      ->required()
      ->check(CLI::IsMember({"push", "deploy"}));
  sub.footer(
      "Prints an IAM policy document (JSON) to attach to the user or role that runs "
      "i2kit-host. Exit status: 0, or 2 usage error.");
  return [flow](Console& console) {
    console.out << IamPolicyFor(*flow == "push" ? AwsFlow::kPush : AwsFlow::kDeploy).dump(2)
                << "\n";
    return ExitCode::kOk;
  };
}

}  // namespace i2kit
