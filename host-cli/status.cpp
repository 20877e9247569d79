// i2kit-host status NAME: the stack's state, its endpoints, and per deployment its Auto
// Scaling group with each instance's state and health.
#include <algorithm>
#include <map>
#include <memory>
#include <ostream>

#include "aws-deploy/aws_session.h"
#include "host-cli/command.h"

namespace i2kit {
namespace {

struct StatusOptions {
  std::string stack_name;
  AwsOptions aws;
};

Status PrintStatus(AwsSession& session, const std::string& name, std::ostream& out) {
  Result<std::optional<aws::Stack>> stack = session.cloudformation().DescribeStack(name);
  if (!stack.ok()) return stack.status();
  if (!stack->has_value()) {
    return Status::Error("no stack " + name + " in " + session.region());
  }
  const aws::Stack& s = **stack;
  out << "stack " << s.name << "  " << s.status << "  (" << session.region() << ")\n";
  if (!s.status_reason.empty()) out << "  " << s.status_reason << "\n";
  for (const aws::StackOutput& output : s.outputs) {
    out << "  " << output.key << " = " << output.value << "\n";
  }
  Result<std::vector<aws::StackResource>> resources =
      session.cloudformation().DescribeStackResources(s.id);
  if (!resources.ok()) return resources.status();
  std::vector<std::string> group_names;
  std::map<std::string, std::string> logical_ids;  // group name -> its logical ID
  for (const aws::StackResource& r : *resources) {
    if (r.type == "AWS::AutoScaling::AutoScalingGroup" && !r.physical_id.empty()) {
      group_names.push_back(r.physical_id);
      logical_ids[r.physical_id] = r.logical_id;
    }
    if (!r.status.ends_with("_COMPLETE")) {
      out << "  " << r.logical_id << " (" << r.type << ") " << r.status
          << (r.reason.empty() ? "" : ": " + r.reason) << "\n";
    }
  }
  Result<std::vector<aws::AutoScalingGroup>> groups =
      session.autoscaling().DescribeGroups(group_names);
  if (!groups.ok()) return groups.status();
  for (const aws::AutoScalingGroup& g : *groups) {
    long healthy =
        std::count_if(g.instances.begin(), g.instances.end(), [](const aws::GroupInstance& i) {
          return i.lifecycle_state == "InService" && i.health_status == "Healthy";
        });
    out << "group " << logical_ids[g.name] << " (" << g.name << ")  " << healthy << "/"
        << g.desired_capacity << " in service and healthy (min " << g.min_size << ", max "
        << g.max_size << ")\n";
    for (const aws::GroupInstance& i : g.instances) {
      out << "  " << i.id << "  " << i.availability_zone << "  " << i.lifecycle_state << "  "
          << i.health_status << "\n";
    }
  }
  return Status::Ok();
}

ExitCode RunStatus(const StatusOptions& options, Console& console) {
  Result<std::unique_ptr<AwsSession>> session = AwsSession::Open(options.aws, console.err);
  Status printed =
      session.ok() ? PrintStatus(**session, options.stack_name, console.out) : session.status();
  if (!printed.ok()) {
    console.err << "i2kit-host status: " << printed.message() << "\n";
    return ExitCode::kFailure;
  }
  return ExitCode::kOk;
}

}  // namespace

CommandRunner SetupStatus(CLI::App& sub) {
  auto options = std::make_shared<StatusOptions>();
  sub.add_option("name", options->stack_name, "The stack (deploy's --stack-name)")->required();
  AddAwsOptions(sub, options->aws);
  sub.footer("Exit status: 0 shown, 1 no such stack or an AWS error, 2 usage error.");
  return [options](Console& console) { return RunStatus(*options, console); };
}

}  // namespace i2kit
