// A Deployment's instances: its security group, launch template and Auto Scaling group (the
// ReplicaSet), which creation and rolling updates only let through once each new instance's
// agent signals that its Pod is ready.
#pragma once

#include <string>
#include <vector>

#include "cloudformation/balancer_plan.h"
#include "cloudformation/template_document.h"

namespace i2kit::cfn {

std::string GroupId(const std::string& id_prefix);
std::string LaunchTemplateId(const std::string& id_prefix);
std::string InstanceSecurityGroupId(const std::string& id_prefix);

// Longest a rolling update waits for one batch's signals: CloudFormation caps PauseTime at 1 h.
inline constexpr int kMaxPauseSeconds = 3600;

struct InstanceGroupSpec {
  const Deployment* deployment = nullptr;
  std::string id_prefix;
  std::string image_parameter;  // the AMI parameter's logical ID
  std::string instance_type;
  std::vector<const BalancerPlan*> balancers;  // those whose target groups it registers with
  std::string image_digest;  // "sha256:…" of the AMI's Pod VM; empty when not known
};

// Adds the security group (reachable only from its balancers' security groups, on the target
// ports and the agent's port), the launch template and the Auto Scaling group of `spec`.
Status AddInstanceGroup(const InstanceGroupSpec& spec, TemplateDocument& doc);

}  // namespace i2kit::cfn
