#include "aws-client/route53_api.h"

#include <gtest/gtest.h>

#include "scripted_transport.h"

namespace i2kit::aws {
namespace {

using Route53ClientTest = ScriptedContextTest;

TEST_F(Route53ClientTest, GetHostedZoneGoesToTheGlobalEndpointSignedForUsEast1) {
  transport_.answers.push_back(Answer(
      200,
      "<GetHostedZoneResponse xmlns=\"https://route53.amazonaws.com/doc/2013-04-01/\">"
      "<HostedZone><Id>/hostedzone/Z1</Id><Name>example.com.</Name><Config><PrivateZone>false"
      "</PrivateZone></Config></HostedZone></GetHostedZoneResponse>"));
  Result<HostedZone> zone = Route53Client(context_).GetHostedZone("/hostedzone/Z1");
  ASSERT_TRUE(zone.ok()) << zone.status().message();
  EXPECT_EQ(zone->id, "Z1");
  EXPECT_EQ(zone->name, "example.com.");
  EXPECT_FALSE(zone->private_zone);
  EXPECT_EQ(transport_.urls[0], "https://route53.amazonaws.com/");
  EXPECT_EQ(transport_.sent[0].method, "GET");
  EXPECT_EQ(transport_.sent[0].path, "/2013-04-01/hostedzone/Z1");
  // The context is in eu-west-1; Route 53 is signed for us-east-1 all the same.
  EXPECT_NE(Header(transport_.sent[0], "Authorization").find("/us-east-1/route53/aws4_request"),
            std::string::npos);
}

TEST_F(Route53ClientTest, AMissingZoneIsNoSuchHostedZone) {
  transport_.answers.push_back(
      Answer(404,
             "<ErrorResponse xmlns=\"https://route53.amazonaws.com/doc/2013-04-01/\"><Error><Type>"
             "Sender</Type><Code>NoSuchHostedZone</Code><Message>No hosted zone found with ID: Z9"
             "</Message></Error><RequestId>r</RequestId></ErrorResponse>"));
  AwsError error;
  Result<HostedZone> zone = Route53Client(context_).GetHostedZone("Z9", &error);
  ASSERT_FALSE(zone.ok());
  EXPECT_EQ(error.code, "NoSuchHostedZone");
}

}  // namespace
}  // namespace i2kit::aws
