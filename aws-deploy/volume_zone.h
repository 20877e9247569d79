// The one Availability Zone of a stack's persistent volumes (cloudformation/persistent_volume.h
// parameters VolumeZone and VolumeSubnet), chosen by deploy and diff rather than asked of the
// user: for a new stack the first subnet of InstanceSubnets and its zone; for an existing one
// the zone it has, for good — a new zone would replace every volume, and a replacement starts
// empty (only its snapshot keeps the data), so a subnet in another zone is refused.
#pragma once

#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "aws-deploy/aws_session.h"
#include "aws-deploy/stack_rollout.h"
#include "common/status.h"

namespace i2kit {

// The zone of a subnet ("us-east-1a"), or an error naming it.
using SubnetZoneLookup = std::function<Result<std::string>(const std::string& subnet_id)>;

// The VolumeSubnet and VolumeZone values to pass for `stack_template`, given the --parameter
// values and the existing stack's (nullopt for a new stack): none to add when the template has
// no persistent volume, or when the existing stack's values stay as they are (UsePreviousValue).
Result<std::map<std::string, std::string>> VolumeZoneParameters(
    const nlohmann::ordered_json& stack_template, const std::map<std::string, std::string>& given,
    const std::optional<std::map<std::string, std::string>>& existing,
    const SubnetZoneLookup& zone_of);

// VolumeZoneParameters for `change`, with the stack and the subnet read from the account, added
// to change.parameter_values.
Status PinVolumeZone(StackChange& change, AwsSession& session);

}  // namespace i2kit
