// The resources of the planned load balancers: each balancer and its security group, and per
// plan a listener and a target group per port, health-checked on the agent's readiness
// endpoint. A shared balancer carries several plans' listeners; each keeps its target groups.
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

// Adds `balancer` and its security group (open on every listener port of its plans) to `doc`,
// in the subnets of parameter `subnets_parameter`.
Status AddLoadBalancer(const Balancer& balancer, const std::string& subnets_parameter,
                       TemplateDocument& doc);

// Adds `plan`'s target groups and its listeners on its balancer; targets leaving it get
// `deregistration_delay_seconds` to finish.
Status AddListeners(const BalancerPlan& plan, int deregistration_delay_seconds,
                    TemplateDocument& doc);

}  // namespace i2kit::cfn
