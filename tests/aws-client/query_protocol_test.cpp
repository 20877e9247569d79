#include "aws-client/query_protocol.h"

#include <gtest/gtest.h>

namespace i2kit::aws {
namespace {

// Shaped like CloudFormation's DescribeStacks answer (API version 2010-05-15).
constexpr char kDescribeStacksResponse[] = R"(<?xml version="1.0" encoding="UTF-8"?>
<DescribeStacksResponse xmlns="http://cloudformation.amazonaws.com/doc/2010-05-15/">
  <DescribeStacksResult>
    <Stacks>
      <member>
        <StackName>i2kit-web</StackName>
        <StackId>arn:aws:cloudformation:eu-west-1:123456789012:stack/i2kit-web/0c5c6a30-8f7e-11ee-b9d1-0242ac120002</StackId>
        <StackStatus>UPDATE_ROLLBACK_COMPLETE</StackStatus>
        <StackStatusReason>Resource ServiceTargetGroup failed: health checks &amp; timeouts</StackStatusReason>
        <CreationTime>2023-11-30T10:15:02.120Z</CreationTime>
        <Parameters>
          <member>
            <ParameterKey>ImageId</ParameterKey>
            <ParameterValue>ami-0abcdef1234567890</ParameterValue>
          </member>
          <member>
            <ParameterKey>Replicas</ParameterKey>
            <ParameterValue>3</ParameterValue>
          </member>
        </Parameters>
        <Outputs>
          <member>
            <OutputKey>LoadBalancerDNS</OutputKey>
            <OutputValue>i2kit-web-1234.eu-west-1.elb.amazonaws.com</OutputValue>
          </member>
        </Outputs>
        <Tags/>
      </member>
    </Stacks>
  </DescribeStacksResult>
  <ResponseMetadata>
    <RequestId>b9b4b068-3a41-11e5-94eb-example</RequestId>
  </ResponseMetadata>
</DescribeStacksResponse>
)";

constexpr char kValidationError[] =
    R"(<ErrorResponse xmlns="http://cloudformation.amazonaws.com/doc/2010-05-15/">
  <Error>
    <Type>Sender</Type>
    <Code>ValidationError</Code>
    <Message>Stack with id i2kit-api does not exist</Message>
  </Error>
  <RequestId>4af14eca-70e2-4e1b-9c2a-example</RequestId>
</ErrorResponse>)";

constexpr char kEc2Throttling[] = R"(<?xml version="1.0" encoding="UTF-8"?>
<Response><Errors><Error><Code>RequestLimitExceeded</Code><Message>Request limit exceeded.</Message></Error></Errors><RequestID>ea966190-f9aa-478e-9ede-example</RequestID></Response>)";

TEST(QueryProtocolTest, EncodesActionVersionAndMembers) {
  QueryParameters parameters;
  parameters.Add("StackName", "i2kit-web");
  parameters.AddStructureList("Parameters.member",
                              {{{"ParameterKey", "ImageId"}, {"ParameterValue", "ami-0abc"}},
                               {{"ParameterKey", "Replicas"}, {"ParameterValue", "3"}}});
  parameters.AddList("Capabilities.member", {"CAPABILITY_IAM"});
  parameters.AddStructure("LaunchTemplateData", {{"ImageId", "ami-0abc"}});
  EXPECT_EQ(EncodeQueryBody("UpdateStack", "2010-05-15", parameters),
            "Action=UpdateStack&Version=2010-05-15&StackName=i2kit-web"
            "&Parameters.member.1.ParameterKey=ImageId&Parameters.member.1.ParameterValue=ami-0abc"
            "&Parameters.member.2.ParameterKey=Replicas&Parameters.member.2.ParameterValue=3"
            "&Capabilities.member.1=CAPABILITY_IAM&LaunchTemplateData.ImageId=ami-0abc");
}

TEST(QueryProtocolTest, ListsWithoutMemberAsEc2SpellsThem) {
  QueryParameters parameters;
  parameters.AddList("InstanceId", {"i-1", "i-2"});
  parameters.AddStructureList("Filter", {{{"Name", "tag:app"}, {"Value.1", "web"}}});
  EXPECT_EQ(EncodeQueryBody("DescribeInstances", "2016-11-15", parameters),
            "Action=DescribeInstances&Version=2016-11-15&InstanceId.1=i-1&InstanceId.2=i-2"
            "&Filter.1.Name=tag%3Aapp&Filter.1.Value.1=web");
}

TEST(QueryProtocolTest, PercentEncodesPerRfc3986) {
  QueryParameters parameters;
  parameters.Add("TemplateBody", "{\"a\": \"b c+d/é~\"}");
  EXPECT_EQ(EncodeQueryBody("ValidateTemplate", "2010-05-15", parameters),
            "Action=ValidateTemplate&Version=2010-05-15"
            "&TemplateBody=%7B%22a%22%3A%20%22b%20c%2Bd%2F%C3%A9~%22%7D");
}

TEST(QueryProtocolTest, ReadsADescribeStacksResponse) {
  Result<XmlDocument> document = ParseQueryResponse(200, kDescribeStacksResponse);
  ASSERT_TRUE(document.ok()) << document.status().message();
  XmlElement root = document->root();
  EXPECT_EQ(root.name(), "DescribeStacksResponse");
  std::vector<XmlElement> stacks = root.Members("DescribeStacksResult/Stacks");
  ASSERT_EQ(stacks.size(), 1u);
  const XmlElement& stack = stacks[0];
  EXPECT_EQ(stack.TextAt("StackStatus").value(), "UPDATE_ROLLBACK_COMPLETE");
  EXPECT_EQ(stack.TextAt("StackStatusReason").value(),
            "Resource ServiceTargetGroup failed: health checks & timeouts");
  std::vector<XmlElement> parameters = stack.Members("Parameters");
  ASSERT_EQ(parameters.size(), 2u);
  EXPECT_EQ(parameters[1].TextAt("ParameterKey").value(), "Replicas");
  EXPECT_EQ(parameters[1].TextAt("ParameterValue").value(), "3");
  EXPECT_EQ(stack.Members("Outputs")[0].TextAt("OutputValue").value(),
            "i2kit-web-1234.eu-west-1.elb.amazonaws.com");
  EXPECT_TRUE(stack.Members("Tags").empty());
  EXPECT_TRUE(stack.Members("NotificationARNs").empty());
  EXPECT_EQ(root.TextAt("ResponseMetadata/RequestId").value(), "b9b4b068-3a41-11e5-94eb-example");
  EXPECT_EQ(root.Children().size(), 2u);
}

TEST(QueryProtocolTest, NamesAMissingElement) {
  Result<XmlDocument> document = ParseQueryResponse(200, kDescribeStacksResponse);
  ASSERT_TRUE(document.ok());
  Result<std::string> missing = document->root().TextAt("DescribeStacksResult/NextToken");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().message(),
            "no element DescribeStacksResult/NextToken in <DescribeStacksResponse>");
}

TEST(QueryProtocolTest, ReadsAnErrorResponse) {
  AwsError error;
  Result<XmlDocument> document = ParseQueryResponse(400, kValidationError, &error);
  ASSERT_FALSE(document.ok());
  EXPECT_EQ(document.status().message(),
            "ValidationError: Stack with id i2kit-api does not exist (HTTP 400, request "
            "4af14eca-70e2-4e1b-9c2a-example)");
  EXPECT_EQ(error.http_status, 400);
  EXPECT_EQ(error.type, "Sender");
  EXPECT_EQ(error.code, "ValidationError");
  EXPECT_EQ(error.message, "Stack with id i2kit-api does not exist");
  EXPECT_EQ(error.request_id, "4af14eca-70e2-4e1b-9c2a-example");
}

TEST(QueryProtocolTest, ReadsAnEc2ErrorResponse) {
  AwsError error = ParseQueryError(503, kEc2Throttling);
  EXPECT_EQ(error.code, "RequestLimitExceeded");
  EXPECT_EQ(error.message, "Request limit exceeded.");
  EXPECT_EQ(error.request_id, "ea966190-f9aa-478e-9ede-example");
}

TEST(QueryProtocolTest, QuotesABodyThatIsNoAwsError) {
  AwsError error = ParseQueryError(502, "<html>\n<body>Bad Gateway</body>\n</html>");
  EXPECT_EQ(error.code, "");
  EXPECT_EQ(Describe(error), "AWS error: <html> <body>Bad Gateway</body> </html> (HTTP 502)");
  EXPECT_EQ(Describe(ParseQueryError(503, "")), "AWS error: empty response body (HTTP 503)");
  std::string long_body(1000, 'x');
  EXPECT_EQ(ParseQueryError(500, long_body).message, std::string(200, 'x') + "…");
}

TEST(QueryProtocolTest, RejectsMalformedXmlWithTheParserMessage) {
  Result<XmlDocument> document =
      ParseQueryResponse(200, "<DescribeStacksResponse>\n<Stacks>\n</DescribeStacksResponse>");
  ASSERT_FALSE(document.ok());
  EXPECT_EQ(document.status().message().rfind("AWS response: XML line 3: ", 0), 0u)
      << document.status().message();
  EXPECT_FALSE(ParseQueryResponse(200, "").ok());
  EXPECT_FALSE(ParseQueryResponse(200, "not xml").ok());
}

// AWS never sends a DTD: one that declares an external entity is refused, never fetched.
TEST(QueryProtocolTest, RefusesExternalEntitiesWithoutFetching) {
  Result<XmlDocument> document = XmlDocument::Parse(
      "<?xml version=\"1.0\"?>\n"
      "<!DOCTYPE r [<!ENTITY secret SYSTEM \"file:///etc/hostname\">]>\n"
      "<r><v>&secret;</v></r>");
  ASSERT_FALSE(document.ok());
  EXPECT_NE(document.status().message().find("DOCTYPE"), std::string::npos);
}

}  // namespace
}  // namespace i2kit::aws
