// The resources of one planned load balancer: the balancer, its security group, and a listener
// and a target group per port, health-checked on the agent's readiness endpoint.
#pragma once

#include "cloudformation/balancer_plan.h"
#include "cloudformation/template_document.h"

namespace i2kit::cfn {

// Every target group's health checks: one every kHealthCheckIntervalSeconds on the agent's
// readiness endpoint, in service after kHealthyThresholdCount passes in a row. A target that
// becomes ready is in service at most their product later (the first pass comes within one
// interval): how long the EC2 reporter waits before it signals (ec2-reporter/startup_signal.h).
inline constexpr int kHealthCheckIntervalSeconds = 10;
inline constexpr int kHealthyThresholdCount = 2;
inline constexpr int kSecondsToHealthyTarget = kHealthCheckIntervalSeconds * kHealthyThresholdCount;

// Adds `plan`'s resources to `doc`; its balancer sits in the subnets of parameter
// `subnets_parameter`, and targets leaving it get `deregistration_delay_seconds` to finish.
Status AddLoadBalancer(const BalancerPlan& plan, const std::string& subnets_parameter,
                       int deregistration_delay_seconds, TemplateDocument& doc);

}  // namespace i2kit::cfn
