#include "aws-deploy/volume_zone.h"

#include "aws-client/ec2_account_api.h"
#include "cloudformation/persistent_volume.h"

namespace i2kit {
namespace {

std::string FirstOfList(const std::string& list) {
  return list.substr(0, list.find(','));
}

const std::string* Find(const std::map<std::string, std::string>& values, const std::string& key) {
  auto found = values.find(key);
  return found == values.end() ? nullptr : &found->second;
}

}  // namespace

Result<std::map<std::string, std::string>> VolumeZoneParameters(
    const nlohmann::ordered_json& stack_template, const std::map<std::string, std::string>& given,
    const std::optional<std::map<std::string, std::string>>& existing,
    const SubnetZoneLookup& zone_of) {
  const std::string zone_key = cfn::kVolumeZoneParameter;
  const std::string subnet_key = cfn::kVolumeSubnetParameter;
  std::map<std::string, std::string> values;
  if (!stack_template.value("Parameters", nlohmann::ordered_json::object()).contains(zone_key)) {
    return values;
  }
  const std::string* old_zone = existing ? Find(*existing, zone_key) : nullptr;
  const std::string* old_subnet = existing ? Find(*existing, subnet_key) : nullptr;
  const std::string* given_subnet = Find(given, subnet_key);
  if (!given_subnet && Find(given, zone_key)) {
    return Status::Error("--parameter " + zone_key + " comes from " + subnet_key +
                         "'s zone: pass --parameter " + subnet_key + "=subnet-… instead");
  }
  // An existing stack with volumes keeps its zone and subnet unless told otherwise.
  if (!given_subnet && old_zone && old_subnet) return values;
  std::string subnet;
  if (given_subnet) {
    subnet = *given_subnet;
  } else if (const std::string* instance_subnets = Find(given, "InstanceSubnets")) {
    subnet = FirstOfList(*instance_subnets);
  } else if (const std::string* old_subnets =
                 existing ? Find(*existing, "InstanceSubnets") : nullptr) {
    subnet = FirstOfList(*old_subnets);
  }
  if (subnet.empty()) {
    return Status::Error(
        "the persistent volumes need a subnet: pass --parameter "
        "InstanceSubnets=subnet-…,subnet-… (the first one's zone keeps them) "
        "or --parameter " +
        subnet_key + "=subnet-…");
  }
  Result<std::string> zone = zone_of(subnet);
  if (!zone.ok()) return zone.status().WithContext("the zone of the persistent volumes");
  if (old_zone && *old_zone != *zone) {
    return Status::Error(subnet_key + " " + subnet + " is in " + *zone +
                         ", but the stack's persistent volumes are in " + *old_zone +
                         ": a new zone would replace them with empty volumes (only a snapshot "
                         "would keep the data); pass --parameter " +
                         subnet_key + "=a subnet in " + *old_zone);
  }
  values[subnet_key] = subnet;
  values[zone_key] = *zone;
  return values;
}

Status PinVolumeZone(StackChange& change, AwsSession& session) {
  if (!change.stack_template.value("Parameters", nlohmann::ordered_json::object())
           .contains(cfn::kVolumeZoneParameter)) {
    return Status::Ok();
  }
  Result<std::optional<aws::Stack>> stack =
      session.cloudformation().DescribeStack(change.stack_name);
  if (!stack.ok()) return stack.status().WithContext("reading the stack's volume zone");
  std::optional<std::map<std::string, std::string>> existing;
  if (*stack) {
    existing.emplace();
    for (const aws::StackParameter& p : (*stack)->parameters) (*existing)[p.key] = p.value;
  }
  aws::Ec2AccountClient ec2(session.context());
  Result<std::map<std::string, std::string>> values =
      VolumeZoneParameters(change.stack_template, change.parameter_values, existing,
                           [&](const std::string& subnet) -> Result<std::string> {
                             Result<std::vector<aws::Subnet>> found = ec2.DescribeSubnets({subnet});
                             if (!found.ok()) return found.status();
                             if (found->empty())
                               return Status::Error("no subnet " + subnet + " in this account");
                             return found->front().zone;
                           });
  if (!values.ok()) return values.status();
  for (auto& [key, value] : *values) change.parameter_values[key] = value;
  return Status::Ok();
}

}  // namespace i2kit
