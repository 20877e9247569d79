#include "aws-client/ec2_account_api.h"

#include <gtest/gtest.h>

#include "scripted_transport.h"

namespace i2kit::aws {
namespace {

using Ec2AccountClientTest = ScriptedContextTest;

std::string Response(const std::string& action, const std::string& members) {
  return "<" + action +
         "Response xmlns=\"http://ec2.amazonaws.com/doc/2016-11-15/\">"
         "<requestId>r1</requestId>" +
         members + "</" + action + "Response>";
}

TEST_F(Ec2AccountClientTest, RouteTablesOfAVpcArePagedAndTheirTargetsRead) {
  transport_.answers.push_back(Answer(
      200, Response("DescribeRouteTables",
                    "<routeTableSet><item><routeTableId>rtb-1</routeTableId><associationSet><item>"
                    "<main>true</main></item></associationSet><routeSet><item>"
                    "<destinationCidrBlock>10.0.0.0/16</destinationCidrBlock><gatewayId>local"
                    "</gatewayId><state>active</state></item></routeSet></item></routeTableSet>"
                    "<nextToken>page2</nextToken>")));
  transport_.answers.push_back(Answer(
      200, Response("DescribeRouteTables",
                    "<routeTableSet><item><routeTableId>rtb-2</routeTableId><associationSet><item>"
                    "<main>false</main><subnetId>subnet-a</subnetId></item></associationSet>"
                    "<routeSet><item><destinationCidrBlock>0.0.0.0/0</destinationCidrBlock>"
                    "<natGatewayId>nat-1</natGatewayId><state>blackhole</state></item></routeSet>"
                    "</item></routeTableSet>")));
  Result<std::vector<RouteTable>> tables = Ec2AccountClient(context_).DescribeRouteTables("vpc-1");
  ASSERT_TRUE(tables.ok()) << tables.status().message();
  ASSERT_EQ(tables->size(), 2u);
  EXPECT_TRUE((*tables)[0].main);
  EXPECT_EQ((*tables)[1].subnet_ids, std::vector<std::string>{"subnet-a"});
  EXPECT_EQ((*tables)[1].routes[0].target, "nat-1");
  EXPECT_EQ((*tables)[1].routes[0].state, "blackhole");
  EXPECT_EQ(transport_.sent[0].body,
            "Action=DescribeRouteTables&Version=2016-11-15&Filter.1.Name=vpc-id&"
            "Filter.1.Value.1=vpc-1");
  EXPECT_EQ(transport_.sent[1].body,
            "Action=DescribeRouteTables&Version=2016-11-15&Filter.1.Name=vpc-id&"
            "Filter.1.Value.1=vpc-1&NextToken=page2");
}

TEST_F(Ec2AccountClientTest, NoDefaultEncryptionMeansNoKeyAndNoSecondCall) {
  transport_.answers.push_back(
      Answer(200, Response("GetEbsEncryptionByDefault",
                           "<ebsEncryptionByDefault>false</ebsEncryptionByDefault>")));
  Result<std::optional<std::string>> key = Ec2AccountClient(context_).EbsDefaultKmsKey();
  ASSERT_TRUE(key.ok()) << key.status().message();
  EXPECT_FALSE(*key);
  EXPECT_EQ(transport_.sent.size(), 1u);
}

}  // namespace
}  // namespace i2kit::aws
