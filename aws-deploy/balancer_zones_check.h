// Whether the stack's subnets fit its load balancers, as Elastic Load Balancing will judge them
// at creation: an application load balancer needs subnets in at least two Availability Zones,
// no balancer takes two subnets of one zone, every subnet is in the stack's VPC, and an
// internet-facing balancer must reach the instances' zones (a balancer routes only to targets
// in its own zones; instances elsewhere would never be healthy).
#pragma once

#include <map>
#include <string>
#include <vector>

#include "aws-client/ec2_account_api.h"
#include "aws-deploy/preflight_plan.h"

namespace i2kit {

// What is wrong with `plan`'s subnets, each problem one line saying what to pass instead;
// `subnets` holds every subnet the plan names, by ID.
std::vector<std::string> BalancerZoneProblems(const PreflightPlan& plan,
                                              const std::map<std::string, aws::Subnet>& subnets);

}  // namespace i2kit
