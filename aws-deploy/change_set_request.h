// What a deploy asks CloudFormation for, computed from the template and the stack as it is:
// the parameter values (given, kept from the stack, or the template's defaults), the
// capabilities the template's resources need, and the change set's name. Pure functions.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "aws-client/cloudformation_api.h"
#include "common/status.h"

namespace i2kit {

// Parses --parameter KEY=VALUE values; fails naming one without '=' or given twice.
Result<std::map<std::string, std::string>> ParseParameterAssignments(
    const std::vector<std::string>& assignments);

// The parameters to send for `stack_template`: each given value; for a parameter with no
// Default that is not given, the existing stack's value (UsePreviousValue) — so that the VPC
// and subnets are named once, at creation. Fails naming every parameter still without a value
// (and how to pass it), and any given one the template does not have. Parameters with a
// Default (the AMIs) are only sent when given: an updated default must take effect.
Result<std::vector<aws::StackParameter>> StackParameters(
    const nlohmann::ordered_json& stack_template, const std::map<std::string, std::string>& given,
    const std::optional<aws::Stack>& existing);

// CAPABILITY_IAM when the template creates IAM resources (CloudFormation refuses otherwise),
// CAPABILITY_NAMED_IAM when one of them has a fixed name.
std::vector<std::string> RequiredCapabilities(const nlohmann::ordered_json& stack_template);

// "i2kit-20261123T150102Z-1a2b3c": valid as a change set name, and unique per stack — executed
// change sets stay in its history, so two deploys in one second must not collide. `random` is
// any number; its low 24 bits become the suffix.
std::string ChangeSetName(std::chrono::sys_seconds now, uint32_t random);

}  // namespace i2kit
