#include "aws-deploy/change_set_request.h"

#include <gtest/gtest.h>

namespace i2kit {
namespace {

using Json = nlohmann::ordered_json;

const Json kTemplate = Json::parse(R"({
  "Parameters": {
    "VpcId": {"Type": "AWS::EC2::VPC::Id"},
    "InstanceSubnets": {"Type": "List<AWS::EC2::Subnet::Id>"},
    "WebImageId": {"Type": "AWS::EC2::Image::Id", "Default": "ami-1"}
  },
  "Resources": {
    "WebRole": {"Type": "AWS::IAM::Role", "Properties": {"Policies": [{"PolicyName": "agent"}]}},
    "WebGroup": {"Type": "AWS::AutoScaling::AutoScalingGroup", "Properties": {}}
  }
})");

aws::Stack ExistingStack() {
  aws::Stack stack;
  stack.name = "web";
  stack.status = "CREATE_COMPLETE";
  stack.parameters = {{"VpcId", "vpc-1", false},
                      {"InstanceSubnets", "subnet-1", false},
                      {"WebImageId", "ami-1", false}};
  return stack;
}

TEST(ChangeSetRequestTest, ANewStackNeedsItsAccountParametersAndSaysHowToPassThem) {
  Result<std::vector<aws::StackParameter>> parameters =
      StackParameters(kTemplate, {}, std::nullopt);
  ASSERT_FALSE(parameters.ok());
  EXPECT_NE(parameters.status().message().find(
                "--parameter VpcId=vpc-… --parameter InstanceSubnets=subnet-…,subnet-…"),
            std::string::npos)
      << parameters.status().message();
}

TEST(ChangeSetRequestTest, GivenValuesAreSentAndDefaultsLeftToTheTemplate) {
  Result<std::vector<aws::StackParameter>> parameters = StackParameters(
      kTemplate, {{"VpcId", "vpc-9"}, {"InstanceSubnets", "subnet-a,subnet-b"}}, std::nullopt);
  ASSERT_TRUE(parameters.ok()) << parameters.status().message();
  ASSERT_EQ(parameters->size(), 2u);
  EXPECT_EQ((*parameters)[0].key, "VpcId");
  EXPECT_EQ((*parameters)[0].value, "vpc-9");
  EXPECT_EQ((*parameters)[1].value, "subnet-a,subnet-b");
}

TEST(ChangeSetRequestTest, AnUpdateKeepsTheStacksValuesButNotItsOldDefaults) {
  Result<std::vector<aws::StackParameter>> parameters =
      StackParameters(kTemplate, {{"InstanceSubnets", "subnet-2"}}, ExistingStack());
  ASSERT_TRUE(parameters.ok()) << parameters.status().message();
  ASSERT_EQ(parameters->size(), 2u);  // the image's new default must take effect: not sent
  EXPECT_EQ((*parameters)[0].key, "VpcId");
  EXPECT_TRUE((*parameters)[0].use_previous_value);
  EXPECT_EQ((*parameters)[1].key, "InstanceSubnets");
  EXPECT_FALSE((*parameters)[1].use_previous_value);
  EXPECT_EQ((*parameters)[1].value, "subnet-2");
}

TEST(ChangeSetRequestTest, AParameterTheTemplateLacksIsRejectedListingTheKnownOnes) {
  Result<std::vector<aws::StackParameter>> parameters =
      StackParameters(kTemplate, {{"Vpc", "vpc-1"}}, ExistingStack());
  ASSERT_FALSE(parameters.ok());
  EXPECT_EQ(parameters.status().message(),
            "the stack's template has no parameter Vpc (it has VpcId, InstanceSubnets, "
            "WebImageId)");
}

TEST(ChangeSetRequestTest, AssignmentsAreKeyEqualsValueOncePerKey) {
  Result<std::map<std::string, std::string>> values =
      ParseParameterAssignments({"VpcId=vpc-1", "InstanceSubnets=a,b=c"});
  ASSERT_TRUE(values.ok());
  EXPECT_EQ(values->at("InstanceSubnets"), "a,b=c");
  EXPECT_FALSE(ParseParameterAssignments({"VpcId"}).ok());
  EXPECT_FALSE(ParseParameterAssignments({"=x"}).ok());
  Result<std::map<std::string, std::string>> twice =
      ParseParameterAssignments({"VpcId=a", "VpcId=b"});
  ASSERT_FALSE(twice.ok());
  EXPECT_EQ(twice.status().message(), "--parameter VpcId is given twice");
}

TEST(ChangeSetRequestTest, IamResourcesNeedTheIamCapabilityAndNamedOnesTheNamedOne) {
  EXPECT_EQ(RequiredCapabilities(kTemplate), std::vector<std::string>{"CAPABILITY_IAM"});
  Json named = kTemplate;
  named["Resources"]["WebRole"]["Properties"]["RoleName"] = "web";
  EXPECT_EQ(RequiredCapabilities(named), std::vector<std::string>{"CAPABILITY_NAMED_IAM"});
  Json none = Json::parse(R"({"Resources": {"Q": {"Type": "AWS::SQS::Queue"}}})");
  EXPECT_TRUE(RequiredCapabilities(none).empty());
}

TEST(ChangeSetRequestTest, ChangeSetNamesAreValidAndTellTheTime) {
  std::chrono::sys_seconds time =
      std::chrono::sys_days{std::chrono::year{2026} / 11 / 23} + std::chrono::hours(15);
  EXPECT_EQ(ChangeSetName(time, 0x12abcdef), "i2kit-20261123T150000Z-abcdef");
  EXPECT_NE(ChangeSetName(time, 1), ChangeSetName(time, 2));
}

}  // namespace
}  // namespace i2kit
