#include "aws-deploy/aws_permissions.h"

#include <string>

namespace i2kit {
namespace {

using Scope = PermissionScope;

// Read from the AWS API calls in aws-client/ (what push, deploy, diff, status and delete send)
// and from CloudFormation's resource handlers (the "permissions" of each type's create, update
// and delete handlers in the CloudFormation registry schemas) for the types the template of
// cloudformation/ uses. The AWS stand-in, given the printed policy, refuses anything else.
constexpr bool kPush = true, kNoPush = false, kDeploy = true, kNoDeploy = false;
constexpr char kPushCall[] = "push";
constexpr char kStackCall[] = "deploy, diff, status, delete";
constexpr char kPreflight[] = "deploy, diff: the account preflight";
constexpr char kRole[] = "CloudFormation for AWS::IAM::Role";
constexpr char kProfile[] = "CloudFormation for AWS::IAM::InstanceProfile";
constexpr char kGroup[] = "CloudFormation for AWS::EC2::SecurityGroup";
constexpr char kTemplate[] = "CloudFormation for AWS::EC2::LaunchTemplate";
constexpr char kAsg[] = "CloudFormation for AWS::AutoScaling::AutoScalingGroup";
constexpr char kElb[] = "CloudFormation for AWS::ElasticLoadBalancingV2::*";
constexpr char kDns[] = "CloudFormation for AWS::Route53::RecordSet";
constexpr char kVolume[] = "CloudFormation for AWS::EC2::Volume (a persistent volume)";
constexpr char kVolumeKey[] =
    "CloudFormation for AWS::EC2::Volume, when the default EBS key is customer managed";
constexpr char kSecret[] = "CloudFormation for AWS::SecretsManager::Secret";
constexpr char kTemplateBucket[] =
    "deploy, diff: a template past 51,200 bytes goes to the account's template bucket";

const std::vector<AwsPermission> kPermissions = {
    // push: the EBS direct APIs and EC2's image calls (aws-deploy/ami_publisher.cpp).
    {"ebs:StartSnapshot", kPush, kDeploy, Scope::kAnyResource, kPushCall},
    {"ebs:PutSnapshotBlock", kPush, kDeploy, Scope::kAnyResource, kPushCall},
    {"ebs:CompleteSnapshot", kPush, kDeploy, Scope::kAnyResource, kPushCall},
    {"ec2:DescribeSnapshots", kPush, kDeploy, Scope::kAnyResource, kPushCall},
    {"ec2:DeleteSnapshot", kPush, kDeploy, Scope::kAnyResource, kPushCall},
    {"ec2:RegisterImage", kPush, kDeploy, Scope::kAnyResource, kPushCall},
    {"ec2:DescribeImages", kPush, kDeploy, Scope::kAnyResource, kPushCall},
    {"ec2:CreateTags", kPush, kDeploy, Scope::kAnyResource, kPushCall},
    // The stack (aws-deploy/stack_rollout.cpp, startup_failures.cpp, host-cli/status.cpp).
    {"cloudformation:CreateChangeSet", kNoPush, kDeploy, Scope::kAnyResource, kStackCall},
    {"cloudformation:DescribeChangeSet", kNoPush, kDeploy, Scope::kAnyResource, kStackCall},
    {"cloudformation:ExecuteChangeSet", kNoPush, kDeploy, Scope::kAnyResource, kStackCall},
    {"cloudformation:DeleteChangeSet", kNoPush, kDeploy, Scope::kAnyResource, kStackCall},
    {"cloudformation:DescribeStacks", kNoPush, kDeploy, Scope::kAnyResource, kStackCall},
    {"cloudformation:DescribeStackEvents", kNoPush, kDeploy, Scope::kAnyResource, kStackCall},
    {"cloudformation:DescribeStackResources", kNoPush, kDeploy, Scope::kAnyResource, kStackCall},
    {"cloudformation:DeleteStack", kNoPush, kDeploy, Scope::kAnyResource, kStackCall},
    {"autoscaling:DescribeAutoScalingGroups", kNoPush, kDeploy, Scope::kAnyResource, kStackCall},
    {"logs:FilterLogEvents", kNoPush, kDeploy, Scope::kAnyResource, kStackCall},
    // The read-only preflight before any change (aws-deploy/account_preflight.cpp): deploy and
    // diff.
    {"ec2:DescribeInstanceTypes", kNoPush, kDeploy, Scope::kAnyResource, kPreflight},
    {"ec2:DescribeSubnets", kNoPush, kDeploy, Scope::kAnyResource, kPreflight},
    {"ec2:DescribeRouteTables", kNoPush, kDeploy, Scope::kAnyResource, kPreflight},
    {"ec2:DescribeVpcEndpoints", kNoPush, kDeploy, Scope::kAnyResource, kPreflight},
    {"ec2:GetEbsEncryptionByDefault", kNoPush, kDeploy, Scope::kAnyResource, kPreflight},
    {"ec2:GetEbsDefaultKmsKeyId", kNoPush, kDeploy, Scope::kAnyResource, kPreflight},
    {"kms:DescribeKey", kNoPush, kDeploy, Scope::kAnyResource, kPreflight},
    {"kms:GetKeyPolicy", kNoPush, kDeploy, Scope::kAnyResource, kPreflight},
    // A template CloudFormation takes only from S3 (aws-deploy/template_bucket.cpp; STS
    // GetCallerIdentity, which names the bucket's account, needs no permission).
    {"s3:ListBucket", kNoPush, kDeploy, Scope::kTemplateBucket, kTemplateBucket},
    {"s3:CreateBucket", kNoPush, kDeploy, Scope::kTemplateBucket, kTemplateBucket},
    {"s3:PutBucketPublicAccessBlock", kNoPush, kDeploy, Scope::kTemplateBucket, kTemplateBucket},
    {"s3:PutEncryptionConfiguration", kNoPush, kDeploy, Scope::kTemplateBucket, kTemplateBucket},
    {"s3:PutLifecycleConfiguration", kNoPush, kDeploy, Scope::kTemplateBucket, kTemplateBucket},
    {"s3:PutObject", kNoPush, kDeploy, Scope::kTemplateBucket, kTemplateBucket},
    {"s3:GetObject", kNoPush, kDeploy, Scope::kTemplateBucket,
     "CloudFormation, reading a TemplateURL as the caller"},
    // What CloudFormation calls as the caller (no service role) for the template's resources.
    {"iam:CreateRole", kNoPush, kDeploy, Scope::kAnyResource, kRole},
    {"iam:GetRole", kNoPush, kDeploy, Scope::kAnyResource, kRole},
    {"iam:UpdateAssumeRolePolicy", kNoPush, kDeploy, Scope::kAnyResource, kRole},
    {"iam:PutRolePolicy", kNoPush, kDeploy, Scope::kAnyResource, kRole},
    {"iam:GetRolePolicy", kNoPush, kDeploy, Scope::kAnyResource, kRole},
    {"iam:DeleteRolePolicy", kNoPush, kDeploy, Scope::kAnyResource, kRole},
    {"iam:ListRolePolicies", kNoPush, kDeploy, Scope::kAnyResource, kRole},
    {"iam:ListAttachedRolePolicies", kNoPush, kDeploy, Scope::kAnyResource, kRole},
    {"iam:TagRole", kNoPush, kDeploy, Scope::kAnyResource, kRole},
    {"iam:DeleteRole", kNoPush, kDeploy, Scope::kAnyResource, kRole},
    {"iam:CreateInstanceProfile", kNoPush, kDeploy, Scope::kAnyResource, kProfile},
    {"iam:GetInstanceProfile", kNoPush, kDeploy, Scope::kAnyResource, kProfile},
    {"iam:AddRoleToInstanceProfile", kNoPush, kDeploy, Scope::kAnyResource, kProfile},
    {"iam:RemoveRoleFromInstanceProfile", kNoPush, kDeploy, Scope::kAnyResource, kProfile},
    {"iam:DeleteInstanceProfile", kNoPush, kDeploy, Scope::kAnyResource, kProfile},
    {"iam:PassRole", kNoPush, kDeploy, Scope::kPassRoleToEc2,
     "CloudFormation for the instance profile, launch template and group: the instance role"},
    {"ec2:CreateSecurityGroup", kNoPush, kDeploy, Scope::kAnyResource, kGroup},
    {"ec2:DescribeSecurityGroups", kNoPush, kDeploy, Scope::kAnyResource, kGroup},
    {"ec2:AuthorizeSecurityGroupIngress", kNoPush, kDeploy, Scope::kAnyResource, kGroup},
    {"ec2:RevokeSecurityGroupIngress", kNoPush, kDeploy, Scope::kAnyResource, kGroup},
    {"ec2:AuthorizeSecurityGroupEgress", kNoPush, kDeploy, Scope::kAnyResource, kGroup},
    {"ec2:RevokeSecurityGroupEgress", kNoPush, kDeploy, Scope::kAnyResource, kGroup},
    {"ec2:DeleteSecurityGroup", kNoPush, kDeploy, Scope::kAnyResource, kGroup},
    {"ec2:CreateLaunchTemplate", kNoPush, kDeploy, Scope::kAnyResource, kTemplate},
    {"ec2:CreateLaunchTemplateVersion", kNoPush, kDeploy, Scope::kAnyResource, kTemplate},
    {"ec2:DescribeLaunchTemplates", kNoPush, kDeploy, Scope::kAnyResource, kTemplate},
    {"ec2:DescribeLaunchTemplateVersions", kNoPush, kDeploy, Scope::kAnyResource, kTemplate},
    {"ec2:ModifyLaunchTemplate", kNoPush, kDeploy, Scope::kAnyResource, kTemplate},
    {"ec2:DeleteLaunchTemplate", kNoPush, kDeploy, Scope::kAnyResource, kTemplate},
    {"ec2:RunInstances", kNoPush, kDeploy, Scope::kAnyResource, kAsg},
    {"ec2:DescribeInstances", kNoPush, kDeploy, Scope::kAnyResource, kAsg},
    {"autoscaling:CreateAutoScalingGroup", kNoPush, kDeploy, Scope::kAnyResource, kAsg},
    {"autoscaling:UpdateAutoScalingGroup", kNoPush, kDeploy, Scope::kAnyResource, kAsg},
    {"autoscaling:DeleteAutoScalingGroup", kNoPush, kDeploy, Scope::kAnyResource, kAsg},
    {"autoscaling:DescribeScalingActivities", kNoPush, kDeploy, Scope::kAnyResource, kAsg},
    {"autoscaling:CreateOrUpdateTags", kNoPush, kDeploy, Scope::kAnyResource, kAsg},
    {"autoscaling:SuspendProcesses", kNoPush, kDeploy, Scope::kAnyResource, kAsg},
    {"autoscaling:ResumeProcesses", kNoPush, kDeploy, Scope::kAnyResource, kAsg},
    {"autoscaling:TerminateInstanceInAutoScalingGroup", kNoPush, kDeploy, Scope::kAnyResource,
     kAsg},
    {"iam:CreateServiceLinkedRole", kNoPush, kDeploy, Scope::kServiceLinkedRoles,
     "CloudFormation for an account's first Auto Scaling group and load balancer"},
    {"elasticloadbalancing:CreateLoadBalancer", kNoPush, kDeploy, Scope::kAnyResource, kElb},
    {"elasticloadbalancing:DescribeLoadBalancers", kNoPush, kDeploy, Scope::kAnyResource, kElb},
    {"elasticloadbalancing:DescribeLoadBalancerAttributes", kNoPush, kDeploy, Scope::kAnyResource,
     kElb},
    {"elasticloadbalancing:ModifyLoadBalancerAttributes", kNoPush, kDeploy, Scope::kAnyResource,
     kElb},
    {"elasticloadbalancing:SetSecurityGroups", kNoPush, kDeploy, Scope::kAnyResource, kElb},
    {"elasticloadbalancing:SetSubnets", kNoPush, kDeploy, Scope::kAnyResource, kElb},
    {"elasticloadbalancing:DeleteLoadBalancer", kNoPush, kDeploy, Scope::kAnyResource, kElb},
    {"elasticloadbalancing:CreateTargetGroup", kNoPush, kDeploy, Scope::kAnyResource, kElb},
    {"elasticloadbalancing:DescribeTargetGroups", kNoPush, kDeploy, Scope::kAnyResource, kElb},
    {"elasticloadbalancing:DescribeTargetGroupAttributes", kNoPush, kDeploy, Scope::kAnyResource,
     kElb},
    {"elasticloadbalancing:ModifyTargetGroup", kNoPush, kDeploy, Scope::kAnyResource, kElb},
    {"elasticloadbalancing:ModifyTargetGroupAttributes", kNoPush, kDeploy, Scope::kAnyResource,
     kElb},
    {"elasticloadbalancing:DeleteTargetGroup", kNoPush, kDeploy, Scope::kAnyResource, kElb},
    {"elasticloadbalancing:CreateListener", kNoPush, kDeploy, Scope::kAnyResource, kElb},
    {"elasticloadbalancing:DescribeListeners", kNoPush, kDeploy, Scope::kAnyResource, kElb},
    {"elasticloadbalancing:ModifyListener", kNoPush, kDeploy, Scope::kAnyResource, kElb},
    {"elasticloadbalancing:DeleteListener", kNoPush, kDeploy, Scope::kAnyResource, kElb},
    {"elasticloadbalancing:AddTags", kNoPush, kDeploy, Scope::kAnyResource, kElb},
    {"elasticloadbalancing:RemoveTags", kNoPush, kDeploy, Scope::kAnyResource, kElb},
    // A stateful deployment's EBS volumes (cloudformation/persistent_volume.h); DeletionPolicy
    // and UpdateReplacePolicy Snapshot make CloudFormation snapshot one before deleting it.
    {"ec2:CreateVolume", kNoPush, kDeploy, Scope::kAnyResource, kVolume},
    {"ec2:DescribeVolumes", kNoPush, kDeploy, Scope::kAnyResource, kVolume},
    {"ec2:DescribeVolumeAttribute", kNoPush, kDeploy, Scope::kAnyResource, kVolume},
    {"ec2:ModifyVolumeAttribute", kNoPush, kDeploy, Scope::kAnyResource, kVolume},
    {"ec2:ModifyVolume", kNoPush, kDeploy, Scope::kAnyResource, kVolume},
    {"ec2:DescribeVolumesModifications", kNoPush, kDeploy, Scope::kAnyResource, kVolume},
    {"ec2:DeleteTags", kNoPush, kDeploy, Scope::kAnyResource, kVolume},
    {"ec2:CreateSnapshot", kNoPush, kDeploy, Scope::kAnyResource, kVolume},
    {"ec2:DeleteVolume", kNoPush, kDeploy, Scope::kAnyResource, kVolume},
    {"kms:CreateGrant", kNoPush, kDeploy, Scope::kAnyResource, kVolumeKey},
    {"kms:GenerateDataKeyWithoutPlaintext", kNoPush, kDeploy, Scope::kAnyResource, kVolumeKey},
    {"kms:Decrypt", kNoPush, kDeploy, Scope::kAnyResource, kVolumeKey},
    {"route53:ChangeResourceRecordSets", kNoPush, kDeploy, Scope::kAnyResource, kDns},
    {"route53:GetChange", kNoPush, kDeploy, Scope::kAnyResource, kDns},
    {"route53:GetHostedZone", kNoPush, kDeploy, Scope::kAnyResource, kDns},
    {"route53:ListResourceRecordSets", kNoPush, kDeploy, Scope::kAnyResource, kDns},
    // A deployment's Secrets (cloudformation/instance_role.h), from the type's handlers.
    {"secretsmanager:CreateSecret", kNoPush, kDeploy, Scope::kAnyResource, kSecret},
    {"secretsmanager:DescribeSecret", kNoPush, kDeploy, Scope::kAnyResource, kSecret},
    {"secretsmanager:GetRandomPassword", kNoPush, kDeploy, Scope::kAnyResource, kSecret},
    {"secretsmanager:GetSecretValue", kNoPush, kDeploy, Scope::kAnyResource, kSecret},
    {"secretsmanager:UpdateSecret", kNoPush, kDeploy, Scope::kAnyResource, kSecret},
    {"secretsmanager:TagResource", kNoPush, kDeploy, Scope::kAnyResource, kSecret},
    {"secretsmanager:UntagResource", kNoPush, kDeploy, Scope::kAnyResource, kSecret},
    {"secretsmanager:DeleteSecret", kNoPush, kDeploy, Scope::kAnyResource, kSecret},
};

nlohmann::ordered_json Statement(std::string_view sid, const nlohmann::ordered_json& actions,
                                 nlohmann::ordered_json resource,
                                 nlohmann::ordered_json condition = nullptr) {
  nlohmann::ordered_json statement = {
      {"Sid", sid}, {"Effect", "Allow"}, {"Action", actions}, {"Resource", std::move(resource)}};
  if (!condition.is_null()) statement["Condition"] = std::move(condition);
  return statement;
}

}  // namespace

const std::vector<AwsPermission>& AwsPermissions() {
  return kPermissions;
}

nlohmann::ordered_json IamPolicyFor(AwsFlow flow) {
  nlohmann::ordered_json any = nlohmann::ordered_json::array();
  nlohmann::ordered_json pass = nlohmann::ordered_json::array();
  nlohmann::ordered_json linked = nlohmann::ordered_json::array();
  nlohmann::ordered_json bucket = nlohmann::ordered_json::array();
  for (const AwsPermission& p : kPermissions) {
    if (!(flow == AwsFlow::kPush ? p.push : p.deploy)) continue;
    switch (p.scope) {
      case Scope::kAnyResource:
        any.push_back(p.action);
        break;
      case Scope::kPassRoleToEc2:
        pass.push_back(p.action);
        break;
      case Scope::kServiceLinkedRoles:
        linked.push_back(p.action);
        break;
      case Scope::kTemplateBucket:
        bucket.push_back(p.action);
        break;
    }
  }
  nlohmann::ordered_json statements = nlohmann::ordered_json::array();
  statements.push_back(Statement(flow == AwsFlow::kPush ? "I2kitPush" : "I2kitDeploy", any, "*"));
  if (!pass.empty()) {
    // The instance role CloudFormation makes for each deployment, passed to EC2 only.
    statements.push_back(
        Statement("PassTheInstanceRoleToEc2", pass, "arn:aws:iam::*:role/*",
                  {{"StringEquals", {{"iam:PassedToService", "ec2.amazonaws.com"}}}}));
  }
  if (!linked.empty()) {
    statements.push_back(
        Statement("CreateTheServiceLinkedRolesOfAFirstGroupOrBalancer", linked,
                  {"arn:aws:iam::*:role/aws-service-role/autoscaling.amazonaws.com/"
                   "AWSServiceRoleForAutoScaling",
                   "arn:aws:iam::*:role/aws-service-role/elasticloadbalancing.amazonaws.com/"
                   "AWSServiceRoleForElasticLoadBalancing"},
                  {{"StringLike",
                    {{"iam:AWSServiceName",
                      {"autoscaling.amazonaws.com", "elasticloadbalancing.amazonaws.com"}}}}}));
  }
  if (!bucket.empty()) {
    // The buckets TemplateBucketName() derives, whatever the account and region.
    statements.push_back(
        Statement("KeepLargeTemplatesInI2kitsBucket", bucket,
                  {"arn:aws:s3:::i2kit-templates-*", "arn:aws:s3:::i2kit-templates-*/*"}));
  }
  return {{"Version", "2012-10-17"}, {"Statement", std::move(statements)}};
}

}  // namespace i2kit
