// The spec check itself: it passes a correct template and names what is wrong in a bad one, so
// that the template tests passing means something.
#include "cfn_spec_check.h"

#include <gtest/gtest.h>

#include "cloudformation_test_util.h"

namespace i2kit {
namespace {

using Json = nlohmann::ordered_json;

// A small correct template: a parameter, a security group, an ingress rule referring to it.
Json SmallTemplate() {
  return Json::parse(R"({
    "AWSTemplateFormatVersion": "2010-09-09",
    "Parameters": {"VpcId": {"Type": "AWS::EC2::VPC::Id"},
                   "Subnets": {"Type": "List<AWS::EC2::Subnet::Id>"}},
    "Resources": {
      "WebSecurityGroup": {"Type": "AWS::EC2::SecurityGroup",
        "Properties": {"GroupDescription": "web", "VpcId": {"Ref": "VpcId"},
                       "Tags": [{"Key": "Name", "Value": {"Fn::Sub": "${AWS::StackName}-web"}}]}},
      "WebIngress": {"Type": "AWS::EC2::SecurityGroupIngress",
        "Properties": {"GroupId": {"Fn::GetAtt": ["WebSecurityGroup", "GroupId"]},
                       "IpProtocol": "tcp", "FromPort": 80, "ToPort": 80,
                       "SourceSecurityGroupId": {"Ref": "WebSecurityGroup"}}}
    },
    "Outputs": {"Group": {"Value": {"Ref": "WebSecurityGroup"}}}
  })");
}

// The problems found, joined for assertion messages and substring checks.
std::string Problems(const Json& t) {
  std::string joined;
  for (const std::string& p : CheckTemplate(Spec(), t)) joined += p + "\n";
  return joined;
}

TEST(CfnSpecCheckTest, PassesACorrectTemplate) {
  EXPECT_EQ(Problems(SmallTemplate()), "");
}

TEST(CfnSpecCheckTest, RejectsAnUnknownResourceType) {
  Json t = SmallTemplate();
  t["Resources"]["WebSecurityGroup"]["Type"] = "AWS::EC2::SecurityGroupp";
  EXPECT_NE(Problems(t).find("unknown resource type 'AWS::EC2::SecurityGroupp'"),
            std::string::npos);
}

TEST(CfnSpecCheckTest, RejectsAMisspeltProperty) {
  Json t = SmallTemplate();
  t["Resources"]["WebIngress"]["Properties"]["FromPrt"] = 80;
  EXPECT_NE(Problems(t).find("Resources.WebIngress.Properties.FromPrt: unknown property"),
            std::string::npos);
}

TEST(CfnSpecCheckTest, RejectsAMissingRequiredProperty) {
  Json t = SmallTemplate();
  t["Resources"]["WebSecurityGroup"]["Properties"].erase("GroupDescription");
  EXPECT_NE(Problems(t).find("GroupDescription: required property missing"), std::string::npos);
}

TEST(CfnSpecCheckTest, RejectsAMissingRequiredPropertyOfANestedType) {
  Json t = SmallTemplate();
  t["Resources"]["WebSecurityGroup"]["Properties"]["Tags"][0].erase("Value");
  EXPECT_NE(Problems(t).find("Properties.Tags[0].Value: required property missing"),
            std::string::npos);
}

TEST(CfnSpecCheckTest, RejectsAValueOfTheWrongPrimitiveType) {
  Json t = SmallTemplate();
  t["Resources"]["WebIngress"]["Properties"]["FromPort"] = "80";
  EXPECT_NE(Problems(t).find("FromPort: expected a Integer"), std::string::npos);
}

TEST(CfnSpecCheckTest, RejectsAListWhereOneValueGoes) {
  Json t = SmallTemplate();
  t["Resources"]["WebSecurityGroup"]["Properties"]["VpcId"] = Json{{"Ref", "Subnets"}};
  EXPECT_NE(Problems(t).find("VpcId: expected one String, and this function yields a list"),
            std::string::npos);
}

TEST(CfnSpecCheckTest, RejectsARefToNothing) {
  Json t = SmallTemplate();
  t["Resources"]["WebSecurityGroup"]["Properties"]["VpcId"] = Json{{"Ref", "Vpc"}};
  EXPECT_NE(Problems(t).find("Ref to 'Vpc', which is no parameter or resource"), std::string::npos);
}

TEST(CfnSpecCheckTest, RejectsAGetAttOfAnUnknownAttribute) {
  Json t = SmallTemplate();
  t["Resources"]["WebIngress"]["Properties"]["GroupId"] =
      Json{{"Fn::GetAtt", {"WebSecurityGroup", "Arn"}}};
  EXPECT_NE(Problems(t).find("AWS::EC2::SecurityGroup has no attribute 'Arn'"), std::string::npos);
}

TEST(CfnSpecCheckTest, RejectsASubOfAnUnknownName) {
  Json t = SmallTemplate();
  t["Resources"]["WebSecurityGroup"]["Properties"]["Tags"][0]["Value"] =
      Json{{"Fn::Sub", "${AWS::StackNam}-web"}};
  EXPECT_NE(Problems(t).find("${AWS::StackNam} names no parameter or resource"), std::string::npos);
}

TEST(CfnSpecCheckTest, RejectsAnOutputReferringToNothing) {
  Json t = SmallTemplate();
  t["Outputs"]["Group"]["Value"] = Json{{"Fn::GetAtt", {"Balancer", "DNSName"}}};
  EXPECT_NE(Problems(t).find("Outputs.Group.Value.Fn::GetAtt: Fn::GetAtt of 'Balancer'"),
            std::string::npos);
}

TEST(CfnSpecCheckTest, RejectsAnUnknownIntrinsicFunction) {
  Json t = SmallTemplate();
  t["Resources"]["WebSecurityGroup"]["Properties"]["GroupDescription"] =
      Json{{"Fn::Concat", {"a", "b"}}};
  EXPECT_NE(Problems(t).find("Fn::Concat: not an intrinsic function"), std::string::npos);
}

TEST(CfnSpecCheckTest, RejectsADescriptionOver1024Bytes) {
  Json t = SmallTemplate();
  t["Description"] = std::string(1025, 'x');
  EXPECT_NE(Problems(t).find("Description: expected a string of at most 1024 bytes"),
            std::string::npos);
}

TEST(CfnSpecCheckTest, LoadingAMissingSpecificationIsAnError) {
  Result<CfnSpec> spec = LoadCfnSpec("/nonexistent/spec.json");
  ASSERT_FALSE(spec.ok());
  EXPECT_NE(spec.status().message().find("/nonexistent/spec.json"), std::string::npos);
}

}  // namespace
}  // namespace i2kit
