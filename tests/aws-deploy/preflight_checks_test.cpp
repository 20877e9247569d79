// The preflight's pure checks, on the cases the stand-in's account does not stage: a Graviton
// counterpart, metal, an internet gateway without public addresses, a blackhole, wildcard and
// "*" principals in a key policy, the plan read from a rendered template.
#include <gtest/gtest.h>

#include "aws-deploy/ebs_key_check.h"
#include "aws-deploy/egress_check.h"
#include "aws-deploy/hosted_zone_check.h"
#include "aws-deploy/instance_type_check.h"
#include "aws-deploy/preflight_plan.h"

namespace i2kit {
namespace {

TEST(InstanceTypeCheck, NitroX86AndMetalPassXenAndArmDoNot) {
  EXPECT_EQ(
      InstanceTypeProblem("web", {"t3.micro", "nitro", {"x86_64"}, "required", "required", false}),
      "");
  // Metal sizes have no hypervisor, and boot the image as Nitro does.
  EXPECT_EQ(InstanceTypeProblem("web", {"i3.metal", "", {"x86_64"}, "supported", "required", true}),
            "");
  EXPECT_NE(InstanceTypeProblem("web",
                                {"m4.large", "xen", {"x86_64"}, "supported", "unsupported", false}),
            "");
  EXPECT_NE(
      InstanceTypeProblem("web", {"t4g.nano", "nitro", {"arm64"}, "required", "required", false}),
      "");
}

TEST(InstanceTypeCheck, CounterpartsKeepTheSize) {
  EXPECT_EQ(NitroCounterpart("t2.micro"), "t3.micro");
  EXPECT_EQ(NitroCounterpart("c4.xlarge"), "c5.xlarge");
  EXPECT_EQ(NitroCounterpart("i3.large"), "i4i.large");
  EXPECT_EQ(NitroCounterpart("t4g.small"), "t3.small");
  EXPECT_EQ(NitroCounterpart("c6gn.large"), "c6in.large");
  EXPECT_EQ(NitroCounterpart("m6gd.xlarge"), "m6id.xlarge");
  EXPECT_EQ(NitroCounterpart("m5.large"), "");
}

std::vector<aws::RouteTable> Tables(aws::Route default_route) {
  return {{"rtb-main", true, {}, {{"10.0.0.0/16", "local", "active"}}},
          {"rtb-1", false, {"subnet-a"}, {{"10.0.0.0/16", "local", "active"}, default_route}}};
}

TEST(EgressCheck, AnInternetGatewayServesOnlySubnetsGivingPublicAddresses) {
  aws::Subnet private_subnet{"subnet-a", "vpc-1", "us-east-1a", false};
  aws::Subnet public_subnet{"subnet-a", "vpc-1", "us-east-1a", true};
  std::vector<aws::RouteTable> tables = Tables({"0.0.0.0/0", "igw-1", "active"});
  EXPECT_EQ(NoEgressReason(public_subnet, tables), "");
  EXPECT_EQ(NoEgressReason(private_subnet, tables),
            "its route table rtb-1 sends 0.0.0.0/0 to the internet gateway igw-1, but the subnet "
            "gives instances no public address");
  EXPECT_EQ(NoEgressReason(private_subnet, Tables({"0.0.0.0/0", "nat-1", "active"})), "");
  EXPECT_EQ(NoEgressReason(private_subnet, Tables({"0.0.0.0/0", "nat-1", "blackhole"})),
            "its route table rtb-1 sends 0.0.0.0/0 to nat-1, which is gone (blackhole)");
  // Not associated: the main table, which has no way out.
  aws::Subnet other{"subnet-b", "vpc-1", "us-east-1b", false};
  EXPECT_EQ(NoEgressReason(other, tables),
            "its route table rtb-main has no route to 0.0.0.0/0 (no NAT gateway)");
}

TEST(EgressCheck, EndpointsMustBeInterfacesWithPrivateDnsForEveryService) {
  std::map<std::string, aws::Subnet> subnets{{"subnet-b", {"subnet-b", "vpc-1", "us-east-1b"}}};
  std::vector<aws::VpcEndpoint> endpoints;
  for (const char* service : kReporterServices) {
    endpoints.push_back(
        {std::string("com.amazonaws.eu-west-1.") + service, "Interface", "available", true});
  }
  std::vector<aws::RouteTable> tables = Tables({"0.0.0.0/0", "nat-1", "active"});
  EXPECT_EQ(EgressProblem({"subnet-b"}, subnets, tables, endpoints, "eu-west-1"), "");
  endpoints[3].private_dns = false;  // logs' name still resolves to the public endpoint
  std::string problem = EgressProblem({"subnet-b"}, subnets, tables, endpoints, "eu-west-1");
  EXPECT_NE(problem.find("no interface endpoint with private DNS for "
                         "com.amazonaws.eu-west-1.logs:"),
            std::string::npos)
      << problem;
}

TEST(HostedZoneCheck, TheZoneItselfAndNamesBelowItFit) {
  aws::HostedZone zone{"Z1", "Example.com.", false};
  EXPECT_EQ(HostedZoneProblem("example.com", zone), "");
  EXPECT_EQ(HostedZoneProblem("shop.example.com", zone), "");
  EXPECT_NE(HostedZoneProblem("badexample.com", zone), "");
}

TEST(EbsKeyCheck, ThePolicyMustAllowTheServiceLinkedRoleEveryAction) {
  aws::KmsKey key{"arn:aws-us-gov:kms:us-gov-west-1:111122223333:key/k", "111122223333",
                  "CUSTOMER"};
  std::string role = AutoScalingRoleArn(key);
  EXPECT_EQ(role,
            "arn:aws-us-gov:iam::111122223333:role/aws-service-role/"
            "autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling");
  std::string open = R"({"Statement": {"Effect": "Allow", "Principal": {"AWS": ")" + role +
                     R"("}, "Action": "kms:*", "Resource": "*"}})";
  EXPECT_EQ(EbsKeyProblem(key, open), "");
  // The account's root delegates to IAM, and the role's own policy grants no KMS action.
  std::string root = R"({"Statement": [{"Effect": "Allow", "Principal": {"AWS":
      "arn:aws-us-gov:iam::111122223333:root"}, "Action": "kms:*", "Resource": "*"}]})";
  EXPECT_NE(EbsKeyProblem(key, root), "");
  std::string no_grants = R"({"Statement": [{"Effect": "Allow", "Principal": "*",
      "Action": ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*",
      "kms:DescribeKey"], "Resource": "*"}]})";
  std::string problem = EbsKeyProblem(key, no_grants);
  EXPECT_NE(problem.find(role + " kms:CreateGrant:"), std::string::npos) << problem;
  EXPECT_EQ(EbsKeyProblem({key.arn, key.account, "AWS"}, root), "");
}

TEST(PreflightPlan, ReadsTypesBalancersAndSubnetsFromTheTemplate) {
  nlohmann::ordered_json t = nlohmann::ordered_json::parse(R"({
    "Parameters": {"VpcId": {}, "InstanceSubnets": {}, "HostedZoneId": {}},
    "Resources": {
      "WebLaunchTemplate": {"Type": "AWS::EC2::LaunchTemplate", "Properties": {
        "LaunchTemplateData": {"InstanceType": "t3.micro", "TagSpecifications": [
          {"ResourceType": "instance", "Tags": [{"Key": "i2kit:deployment", "Value": "web"}]}]}}},
      "WebLoadBalancer": {"Type": "AWS::ElasticLoadBalancingV2::LoadBalancer", "Properties": {
        "Type": "network", "Scheme": "internet-facing", "Subnets": {"Ref": "PublicSubnets"}}}}})");
  PreflightPlan plan = ReadPreflightPlan(
      t, {{"VpcId", "vpc-1"}, {"InstanceSubnets", "subnet-a,subnet-b"}, {"PublicSubnets", "p"}},
      "example.com");
  EXPECT_EQ(plan.instance_types, (std::map<std::string, std::string>{{"web", "t3.micro"}}));
  EXPECT_EQ(plan.instance_subnets, (std::vector<std::string>{"subnet-a", "subnet-b"}));
  ASSERT_EQ(plan.balancers.size(), 1u);
  EXPECT_FALSE(plan.balancers[0].application);
  EXPECT_TRUE(plan.balancers[0].internet_facing);
  EXPECT_EQ(plan.balancers[0].subnets, (std::vector<std::string>{"p"}));
  EXPECT_EQ(plan.hosted_zone_id, "");  // a parameter with no value is left to CloudFormation
}

}  // namespace
}  // namespace i2kit
