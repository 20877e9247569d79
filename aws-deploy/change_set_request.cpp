#include "aws-deploy/change_set_request.h"

#include <algorithm>
#include <cstdio>

#include "aws-client/sigv4.h"

namespace i2kit {
namespace {

using Json = nlohmann::ordered_json;

bool HasParameter(const aws::Stack& stack, const std::string& key) {
  return std::any_of(stack.parameters.begin(), stack.parameters.end(),
                     [&](const aws::StackParameter& p) { return p.key == key; });
}

std::string Joined(const std::vector<std::string>& names, const std::string& separator) {
  std::string text;
  for (const std::string& name : names) text += (text.empty() ? "" : separator) + name;
  return text;
}

// The example a user can copy for a parameter of `type`.
std::string ExampleValue(const std::string& type) {
  if (type == "AWS::EC2::VPC::Id") return "vpc-…";
  if (type == "List<AWS::EC2::Subnet::Id>") return "subnet-…,subnet-…";
  if (type == "AWS::Route53::HostedZone::Id") return "Z…";
  return "…";
}

}  // namespace

Result<std::map<std::string, std::string>> ParseParameterAssignments(
    const std::vector<std::string>& assignments) {
  std::map<std::string, std::string> values;
  for (const std::string& assignment : assignments) {
    size_t equals = assignment.find('=');
    if (equals == std::string::npos || equals == 0) {
      return Status::Error("--parameter " + assignment + ": expected KEY=VALUE");
    }
    std::string key = assignment.substr(0, equals);
    if (!values.emplace(key, assignment.substr(equals + 1)).second) {
      return Status::Error("--parameter " + key + " is given twice");
    }
  }
  return values;
}

Result<std::vector<aws::StackParameter>> StackParameters(
    const Json& stack_template, const std::map<std::string, std::string>& given,
    const std::optional<aws::Stack>& existing) {
  const Json declared = stack_template.value("Parameters", Json::object());
  std::vector<std::string> unknown;
  for (const auto& [key, value] : given) {
    if (!declared.contains(key)) unknown.push_back(key);
  }
  if (!unknown.empty()) {
    std::vector<std::string> known;
    for (const auto& [key, value] : declared.items()) known.push_back(key);
    return Status::Error("the stack's template has no parameter " + Joined(unknown, ", ") +
                         " (it has " + Joined(known, ", ") + ")");
  }
  std::vector<aws::StackParameter> parameters;
  std::vector<std::string> missing;
  for (const auto& [key, declaration] : declared.items()) {
    auto value = given.find(key);
    if (value != given.end()) {
      parameters.push_back({key, value->second, false});
    } else if (declaration.contains("Default")) {
      continue;
    } else if (existing && HasParameter(*existing, key)) {
      parameters.push_back({key, "", true});
    } else {
      missing.push_back("--parameter " + key + "=" +
                        ExampleValue(declaration.value("Type", std::string())));
    }
  }
  if (!missing.empty()) {
    return Status::Error("the new stack needs values for its account's resources: " +
                         Joined(missing, " "));
  }
  return parameters;
}

std::vector<std::string> RequiredCapabilities(const Json& stack_template) {
  bool iam = false, named = false;
  const Json resources = stack_template.value("Resources", Json::object());
  for (const auto& [id, resource] : resources.items()) {
    std::string type = resource.value("Type", std::string());
    if (!type.starts_with("AWS::IAM::")) continue;
    iam = true;
    const Json properties = resource.value("Properties", Json::object());
    // The names CAPABILITY_NAMED_IAM is about (a policy's PolicyName is not one of them).
    for (const char* name :
         {"RoleName", "InstanceProfileName", "UserName", "GroupName", "ManagedPolicyName"}) {
      if (properties.contains(name)) named = true;
    }
  }
  if (named) return {"CAPABILITY_NAMED_IAM"};
  if (iam) return {"CAPABILITY_IAM"};
  return {};
}

std::string ChangeSetName(std::chrono::sys_seconds now, uint32_t random) {
  char suffix[8];
  std::snprintf(suffix, sizeof suffix, "%06x", random & 0xffffffu);
  return "i2kit-" + aws::AmzDate(now) + "-" + suffix;
}

}  // namespace i2kit
