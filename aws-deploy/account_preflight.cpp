#include "aws-deploy/account_preflight.h"

#include <set>

#include "aws-client/ec2_account_api.h"
#include "aws-client/kms_api.h"
#include "aws-client/route53_api.h"
#include "aws-deploy/balancer_zones_check.h"
#include "aws-deploy/ebs_key_check.h"
#include "aws-deploy/egress_check.h"
#include "aws-deploy/hosted_zone_check.h"
#include "aws-deploy/instance_type_check.h"
#include "aws-deploy/preflight_plan.h"

namespace i2kit {
namespace {

constexpr char kNoSuchHostedZone[] = "NoSuchHostedZone";

// The given parameter values, then the existing stack's for the others.
Result<std::map<std::string, std::string>> ParameterValues(const StackChange& change,
                                                           aws::CloudFormationClient& cfn) {
  std::map<std::string, std::string> values = change.parameter_values;
  Result<std::optional<aws::Stack>> existing = cfn.DescribeStack(change.stack_name);
  if (!existing.ok()) return existing.status();
  if (*existing) {
    for (const aws::StackParameter& p : (*existing)->parameters) values.emplace(p.key, p.value);
  }
  return values;
}

Status CheckInstanceTypes(const PreflightPlan& plan, aws::Ec2AccountClient& ec2,
                          std::vector<std::string>& problems) {
  std::set<std::string> names;
  for (const auto& [deployment, type] : plan.instance_types) names.insert(type);
  if (names.empty()) return Status::Ok();
  Result<std::vector<aws::InstanceTypeInfo>> infos =
      ec2.DescribeInstanceTypes({names.begin(), names.end()});
  if (!infos.ok()) return infos.status().WithContext("checking the instance types");
  for (const auto& [deployment, type] : plan.instance_types) {
    for (const aws::InstanceTypeInfo& info : *infos) {
      if (info.name != type) continue;
      std::string problem = InstanceTypeProblem(deployment, info);
      if (!problem.empty()) problems.push_back(problem);
    }
  }
  return Status::Ok();
}

Status CheckNetwork(const PreflightPlan& plan, const std::string& region,
                    aws::Ec2AccountClient& ec2, std::vector<std::string>& problems,
                    std::optional<bool>* nat_needed) {
  std::set<std::string> ids(plan.instance_subnets.begin(), plan.instance_subnets.end());
  for (const PlannedBalancer& b : plan.balancers) ids.insert(b.subnets.begin(), b.subnets.end());
  if (ids.empty()) return Status::Ok();
  Result<std::vector<aws::Subnet>> found = ec2.DescribeSubnets({ids.begin(), ids.end()});
  if (!found.ok()) return found.status().WithContext("reading the stack's subnets");
  std::map<std::string, aws::Subnet> subnets;
  for (const aws::Subnet& s : *found) subnets[s.id] = s;
  for (std::string& problem : BalancerZoneProblems(plan, subnets)) {
    problems.push_back(std::move(problem));
  }
  if (plan.instance_subnets.empty()) return Status::Ok();
  const std::string vpc = subnets.count(plan.instance_subnets.front())
                              ? subnets[plan.instance_subnets.front()].vpc_id
                              : plan.vpc_id;
  Result<std::vector<aws::RouteTable>> tables = ec2.DescribeRouteTables(vpc);
  if (!tables.ok()) return tables.status().WithContext("reading the VPC's route tables");
  Result<std::vector<aws::VpcEndpoint>> endpoints = ec2.DescribeVpcEndpoints(vpc);
  if (!endpoints.ok()) return endpoints.status().WithContext("reading the VPC's endpoints");
  std::string problem = EgressProblem(plan.instance_subnets, subnets, *tables, *endpoints, region);
  if (!problem.empty()) problems.push_back(problem);
  if (nat_needed) *nat_needed = !problem.empty();
  return Status::Ok();
}

Status CheckHostedZone(const PreflightPlan& plan, aws::Route53Client& route53,
                       std::vector<std::string>& problems) {
  if (plan.hosted_zone_id.empty() || plan.domain.empty()) return Status::Ok();
  aws::AwsError error;
  Result<aws::HostedZone> zone = route53.GetHostedZone(plan.hosted_zone_id, &error);
  if (!zone.ok() && error.code == kNoSuchHostedZone) {
    problems.push_back("HostedZoneId " + plan.hosted_zone_id +
                       ": this account has no such hosted zone; pass the ID of " + plan.domain +
                       "'s zone (aws route53 list-hosted-zones-by-name)");
    return Status::Ok();
  }
  if (!zone.ok()) return zone.status().WithContext("reading the hosted zone");
  std::string problem = HostedZoneProblem(plan.domain, *zone);
  if (!problem.empty()) problems.push_back(problem);
  return Status::Ok();
}

Status CheckEbsKey(aws::Ec2AccountClient& ec2, aws::KmsClient& kms,
                   std::vector<std::string>& problems) {
  Result<std::optional<std::string>> key_id = ec2.EbsDefaultKmsKey();
  if (!key_id.ok()) return key_id.status().WithContext("reading EBS's default encryption");
  if (!*key_id) return Status::Ok();
  Result<aws::KmsKey> key = kms.DescribeKey(**key_id);
  if (!key.ok()) return key.status().WithContext("reading EBS's default key");
  if (key->manager != "CUSTOMER") return Status::Ok();
  Result<std::string> policy = kms.KeyPolicy(key->arn);
  if (!policy.ok()) return policy.status().WithContext("reading EBS's default key's policy");
  std::string problem = EbsKeyProblem(*key, *policy);
  if (!problem.empty()) problems.push_back(problem);
  return Status::Ok();
}

}  // namespace

Status CheckAccountReady(const StackChange& change, const std::string& domain, AwsSession& session,
                         EventLog& log, std::optional<bool>* nat_needed) {
  Result<std::map<std::string, std::string>> parameters =
      ParameterValues(change, session.cloudformation());
  if (!parameters.ok()) return parameters.status().WithContext("preflight");
  PreflightPlan plan = ReadPreflightPlan(change.stack_template, *parameters, domain);
  aws::Ec2AccountClient ec2(session.context());
  aws::KmsClient kms(session.context());
  aws::Route53Client route53(session.context());
  std::vector<std::string> problems;
  for (Status read : {CheckInstanceTypes(plan, ec2, problems),
                      CheckNetwork(plan, session.region(), ec2, problems, nat_needed),
                      CheckHostedZone(plan, route53, problems), CheckEbsKey(ec2, kms, problems)}) {
    if (!read.ok()) return read.WithContext("preflight");
  }
  if (problems.empty()) {
    log.Event("preflight: the account is ready for stack " + change.stack_name);
    return Status::Ok();
  }
  std::string message =
      "the account is not ready for stack " + change.stack_name + "; nothing was changed. Fix " +
      (problems.size() == 1 ? "this" : "these " + std::to_string(problems.size())) +
      " first (README: AWS account prerequisites):";
  for (const std::string& problem : problems) message += "\n  - " + problem;
  return Status::Error(message);
}

}  // namespace i2kit
