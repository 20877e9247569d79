// The IAM permissions the AWS verbs need, from one table of the calls each flow makes — the
// client's own calls and those CloudFormation makes with the caller's credentials to create,
// update and delete the template's resources — turned into the least-privilege policy
// `i2kit-host policy` prints for a user or a CI role.
#pragma once

#include <nlohmann/json.hpp>
#include <string_view>
#include <vector>

namespace i2kit {

// The flows a policy is for: push (AMIs), and deploy with diff, status and delete (a stack; a
// deploy without --ami pushes first, so it needs push's calls too).
enum class AwsFlow { kPush, kDeploy };

// Which statement an action goes in: most on any resource; iam:PassRole only for roles passed
// to EC2 (the instance role); iam:CreateServiceLinkedRole only for Auto Scaling's and Elastic
// Load Balancing's roles (an account's first group or balancer creates them).
// kTemplateBucket only for i2kit's template buckets and their objects (template_bucket.h).
enum class PermissionScope { kAnyResource, kPassRoleToEc2, kServiceLinkedRoles, kTemplateBucket };

struct AwsPermission {
  std::string_view action;  // "cloudformation:CreateChangeSet"
  bool push;                // push makes the call (so deploy does too)
  bool deploy;              // deploy, diff, status or delete makes it, or CloudFormation does
  PermissionScope scope;
  std::string_view why;  // who calls it: "push", "CloudFormation for AWS::EC2::LaunchTemplate"
};

// The table, in the order the policy lists it.
const std::vector<AwsPermission>& AwsPermissions();

// The IAM policy document (Version 2012-10-17) allowing exactly what `flow` needs.
nlohmann::ordered_json IamPolicyFor(AwsFlow flow);

}  // namespace i2kit
