#include "cloudformation/instance_role.h"

#include "cloudformation/persistent_volume.h"
#include "common/ec2_logs.h"
#include "common/pod_secrets.h"

namespace i2kit::cfn {
namespace {

Json Allow(Json action, Json resource) {
  return Json{
      {"Effect", "Allow"}, {"Action", std::move(action)}, {"Resource", std::move(resource)}};
}

// The ARN of the deployment's log group, /i2kit/STACK/DEPLOYMENT, for Fn::Sub.
std::string LogGroupArnSub(const Deployment& d) {
  return "arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:" +
         ec2_logs::LogGroupName("${AWS::StackName}", d.name);
}

Json AgentPolicy(const Deployment& d, const std::string& id_prefix) {
  Json metrics = Allow("cloudwatch:PutMetricData", "*");  // PutMetricData has no resource ARN
  metrics["Condition"] =
      Json{{"StringEquals", Json{{"cloudwatch:namespace", Sub(kMetricsNamespaceSub)}}}};
  Json policy{
      {"Version", "2012-10-17"},
      {"Statement",
       Json::array(
           {Allow("cloudformation:SignalResource", Ref("AWS::StackId")),
            Allow("autoscaling:SetInstanceHealth",
                  Sub("arn:${AWS::Partition}:autoscaling:${AWS::Region}:${AWS::AccountId}"
                      ":autoScalingGroup:*:autoScalingGroupName/" +
                      GroupNameSub(d))),
            metrics,
            // The reporter's CloudWatch Logs: its deployment's group
            // (common/ec2_logs.h) and the streams in it.
            Allow(Json::array({"logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"}),
                  Json::array({Sub(LogGroupArnSub(d)), Sub(LogGroupArnSub(d) + ":*")}))})}};
  // Its own deployment's Secrets, and no other's (Ref of a secret is its ARN).
  if (!ReferencedSecrets(d).empty()) {
    policy["Statement"].push_back(
        Allow("secretsmanager:GetSecretValue", Ref(SecretsId(id_prefix))));
  }
  // Its own persistent volumes, attached to itself at boot.
  for (Json& statement : VolumeAttachStatements(d, id_prefix)) {
    policy["Statement"].push_back(std::move(statement));
  }
  return policy;
}

Status AddSecrets(const Deployment& d, const std::string& id_prefix, TemplateDocument& doc) {
  if (ReferencedSecrets(d).empty()) return Status::Ok();
  doc.AddParameter(SecretsParameterId(id_prefix),
                   Json{{"Type", "String"},
                        {"NoEcho", true},
                        {"Description", "The Secrets of deployment " + d.name +
                                            " (JSON; deploy gives it, AWS shows it to no one)"}});
  return doc.AddResource(SecretsId(id_prefix), "AWS::SecretsManager::Secret",
                         Json{{"Name", Sub("${AWS::StackName}/" + d.name)},
                              {"Description", "The Kubernetes Secrets of deployment " + d.name},
                              {"SecretString", Ref(SecretsParameterId(id_prefix))}},
                         "deployment " + d.name);
}

}  // namespace

std::string GroupNameSub(const Deployment& d) {
  return "${AWS::StackName}-" + d.name;
}

std::string SecretsParameterId(const std::string& id_prefix) {
  return id_prefix + "SecretsValue";
}

std::string SecretsId(const std::string& id_prefix) {
  return id_prefix + "Secrets";
}

std::string InstanceRoleId(const std::string& id_prefix) {
  return id_prefix + "InstanceRole";
}

std::string InstanceProfileId(const std::string& id_prefix) {
  return id_prefix + "InstanceProfile";
}

Status AddInstanceRole(const Deployment& d, const std::string& id_prefix, TemplateDocument& doc) {
  Json trust{{"Version", "2012-10-17"},
             {"Statement", Json::array({Json{{"Effect", "Allow"},
                                             {"Principal", Json{{"Service", "ec2.amazonaws.com"}}},
                                             {"Action", "sts:AssumeRole"}}})}};
  Json role{{"AssumeRolePolicyDocument", trust},
            {"Policies", Json::array({Json{{"PolicyName", "i2kit-agent"},
                                           {"PolicyDocument", AgentPolicy(d, id_prefix)}}})}};
  std::string owner = "deployment " + d.name;
  Status added = AddSecrets(d, id_prefix, doc);
  if (added.ok()) added = doc.AddResource(InstanceRoleId(id_prefix), "AWS::IAM::Role", role, owner);
  if (!added.ok()) return added;
  return doc.AddResource(InstanceProfileId(id_prefix), "AWS::IAM::InstanceProfile",
                         Json{{"Roles", Json::array({Ref(InstanceRoleId(id_prefix))})}}, owner);
}

}  // namespace i2kit::cfn
