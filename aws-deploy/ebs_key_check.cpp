#include "aws-deploy/ebs_key_check.h"

#include <fnmatch.h>

#include <nlohmann/json.hpp>
#include <set>
#include <vector>

namespace i2kit {
namespace {

using Json = nlohmann::json;

// A policy member that is one string or a list of them.
std::vector<std::string> Strings(const Json& value) {
  std::vector<std::string> items;
  if (value.is_string()) items.push_back(value.get<std::string>());
  if (value.is_array()) {
    for (const Json& item : value) {
      if (item.is_string()) items.push_back(item.get<std::string>());
    }
  }
  return items;
}

bool NamesRole(const Json& principal, const std::string& role) {
  if (principal.is_string()) return principal == "*";
  if (!principal.is_object() || !principal.contains("AWS")) return false;
  for (const std::string& name : Strings(principal["AWS"])) {
    if (name == "*" || name == role) return true;
  }
  return false;
}

// IAM matches action names without case, with * and ? wildcards.
bool Matches(const std::string& pattern, const std::string& action) {
  return ::fnmatch(pattern.c_str(), action.c_str(), FNM_CASEFOLD) == 0;
}

}  // namespace

std::string AutoScalingRoleArn(const aws::KmsKey& key) {
  // arn:PARTITION:kms:REGION:ACCOUNT:key/ID
  std::string partition = "aws";
  if (key.arn.starts_with("arn:")) partition = key.arn.substr(4, key.arn.find(':', 4) - 4);
  return "arn:" + partition + ":iam::" + key.account +
         ":role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling";
}

std::string EbsKeyProblem(const aws::KmsKey& key, const std::string& policy) {
  if (key.manager != "CUSTOMER") return "";
  std::string role = AutoScalingRoleArn(key);
  Json document = Json::parse(policy, nullptr, /*allow_exceptions=*/false);
  Json statements = document.is_object() ? document.value("Statement", Json()) : Json();
  if (statements.is_object()) statements = Json::array({statements});
  std::set<std::string> missing(std::begin(kAutoScalingKeyActions),
                                std::end(kAutoScalingKeyActions));
  for (const Json& statement : statements.is_array() ? statements : Json::array()) {
    if (!statement.is_object() || statement.value("Effect", "") != "Allow" ||
        !NamesRole(statement.value("Principal", Json()), role)) {
      continue;
    }
    for (const std::string& pattern : Strings(statement.value("Action", Json()))) {
      std::erase_if(missing, [&](const std::string& action) { return Matches(pattern, action); });
    }
  }
  if (missing.empty()) return "";
  std::string actions;
  for (const std::string& action : missing) actions += (actions.empty() ? "" : ", ") + action;
  return "EBS encrypts new volumes by default with the customer managed key " + key.arn +
         ", whose key policy does not allow Auto Scaling's service-linked role " + role + " " +
         actions +
         ": every instance would stop at launch (Client.InternalError). Add a statement allowing "
         "that role these actions to the key policy (AWS: \"Required KMS key policy for use "
         "with encrypted volumes\"), or make an AWS managed key the default "
         "(aws ec2 reset-ebs-default-kms-key-id)";
}

}  // namespace i2kit
