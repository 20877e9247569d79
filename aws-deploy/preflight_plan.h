// What deploy's preflight checks the account against, read from the rendered stack template and
// the stack's parameter values — what will be deployed, not a second reading of the manifest:
// each deployment's instance type, each load balancer's kind, scheme and subnets, the instance
// subnets, the VPC and the hosted zone.
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace i2kit {

struct PlannedBalancer {
  std::string id;                    // its logical ID, "HelloLoadBalancer"
  bool application = false;          // else a network load balancer
  bool internet_facing = false;      // else internal
  std::string subnets_parameter;     // "InstanceSubnets", "PublicSubnets"
  std::vector<std::string> subnets;  // that parameter's value; empty when not known
};

struct PreflightPlan {
  std::map<std::string, std::string> instance_types;  // deployment -> instance type
  std::vector<PlannedBalancer> balancers;
  std::string vpc_id;                         // empty when not known
  std::vector<std::string> instance_subnets;  // empty when not known
  std::string hosted_zone_id;                 // empty when the stack has no records
  std::string domain;                         // --domain, the zone's records' suffix
};

// The plan of `stack_template` with `parameters` (given, else the existing stack's: a value
// known nowhere stays empty, and the checks that need it are left to CloudFormation's own
// "parameter missing" refusal). `domain` is --domain.
PreflightPlan ReadPreflightPlan(const nlohmann::ordered_json& stack_template,
                                const std::map<std::string, std::string>& parameters,
                                const std::string& domain);

}  // namespace i2kit
