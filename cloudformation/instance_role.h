// The IAM role a Deployment's instances run with: exactly what the guest agent calls, each
// scoped to this stack and this Deployment — signal the stack (creation and rolling updates
// wait for it), set instance health in its own Auto Scaling group, put metrics in the stack's
// namespace. Nothing else: no SSM, no SSH keys, no image registry.
#pragma once

#include <string>

#include "cloudformation/template_document.h"
#include "common/pod_model.h"

namespace i2kit::cfn {

// The CloudWatch namespace of the stack's metrics, as an Fn::Sub text.
inline constexpr const char* kMetricsNamespaceSub = "i2kit/${AWS::StackName}";

// The Auto Scaling group's name, as an Fn::Sub text: set explicitly so that the role can name
// the group without depending on it (the group depends on the role through its launch template).
std::string GroupNameSub(const Deployment& d);

std::string InstanceRoleId(const std::string& id_prefix);
std::string InstanceProfileId(const std::string& id_prefix);

// A Deployment that refers to Secrets keeps them in AWS Secrets Manager, never in the
// template or the AMI: the NoEcho parameter SecretsParameterId (its value, deploy's, is
// common/pod_secrets.h's JSON of the Deployment's Secrets) fills the secret SecretsId, named
// STACK/DEPLOYMENT, and the role may read that secret alone (secretsmanager:GetSecretValue).
std::string SecretsParameterId(const std::string& id_prefix);
std::string SecretsId(const std::string& id_prefix);

// Adds the role and its instance profile for `d`, whose resources' IDs start with `id_prefix`.
Status AddInstanceRole(const Deployment& d, const std::string& id_prefix, TemplateDocument& doc);

}  // namespace i2kit::cfn
