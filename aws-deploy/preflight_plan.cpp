#include "aws-deploy/preflight_plan.h"

namespace i2kit {
namespace {

using Json = nlohmann::ordered_json;

std::string Parameter(const std::map<std::string, std::string>& parameters,
                      const std::string& name) {
  auto found = parameters.find(name);
  return found == parameters.end() ? "" : found->second;
}

// A List<…> parameter's value: comma-separated, as CloudFormation takes it.
std::vector<std::string> ListParameter(const std::map<std::string, std::string>& parameters,
                                       const std::string& name) {
  std::vector<std::string> items;
  std::string value = Parameter(parameters, name);
  size_t start = 0;
  while (!value.empty() && start <= value.size()) {
    size_t comma = value.find(',', start);
    std::string item = value.substr(start, comma == std::string::npos ? comma : comma - start);
    if (!item.empty()) items.push_back(item);
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return items;
}

// The deployment a launch template is for: its instances' i2kit:deployment tag.
std::string TaggedDeployment(const Json& data) {
  for (const Json& specification : data.value("TagSpecifications", Json::array())) {
    for (const Json& tag : specification.value("Tags", Json::array())) {
      if (tag.value("Key", "") == "i2kit:deployment") return tag.value("Value", "");
    }
  }
  return "";
}

}  // namespace

PreflightPlan ReadPreflightPlan(const Json& stack_template,
                                const std::map<std::string, std::string>& parameters,
                                const std::string& domain) {
  PreflightPlan plan;
  plan.vpc_id = Parameter(parameters, "VpcId");
  plan.instance_subnets = ListParameter(parameters, "InstanceSubnets");
  plan.domain = domain;
  if (stack_template.contains("Parameters") &&
      stack_template["Parameters"].contains("HostedZoneId")) {
    plan.hosted_zone_id = Parameter(parameters, "HostedZoneId");
  }
  const Json resources = stack_template.value("Resources", Json::object());
  for (const auto& [id, resource] : resources.items()) {
    std::string type = resource.value("Type", "");
    const Json properties = resource.value("Properties", Json::object());
    if (type == "AWS::EC2::LaunchTemplate") {
      const Json data = properties.value("LaunchTemplateData", Json::object());
      std::string deployment = TaggedDeployment(data);
      if (data.contains("InstanceType") && data["InstanceType"].is_string()) {
        plan.instance_types[deployment.empty() ? id : deployment] =
            data["InstanceType"].get<std::string>();
      }
    } else if (type == "AWS::ElasticLoadBalancingV2::LoadBalancer") {
      PlannedBalancer balancer;
      balancer.id = id;
      balancer.application = properties.value("Type", "application") == "application";
      balancer.internet_facing = properties.value("Scheme", "internal") == "internet-facing";
      const Json subnets = properties.value("Subnets", Json::object());
      if (subnets.is_object() && subnets.contains("Ref") && subnets["Ref"].is_string()) {
        balancer.subnets_parameter = subnets["Ref"].get<std::string>();
        balancer.subnets = ListParameter(parameters, balancer.subnets_parameter);
      }
      plan.balancers.push_back(std::move(balancer));
    }
  }
  return plan;
}

}  // namespace i2kit
