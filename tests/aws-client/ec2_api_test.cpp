#include "aws-client/ec2_api.h"

#include <gtest/gtest.h>

#include "scripted_transport.h"

namespace i2kit::aws {
namespace {

using Ec2ClientTest = ScriptedContextTest;

const char kNamespace[] = " xmlns=\"http://ec2.amazonaws.com/doc/2016-11-15/\"";

std::string Response(const std::string& action, const std::string& members) {
  return "<" + action + "Response" + kNamespace + "><requestId>r1</requestId>" + members + "</" +
         action + "Response>";
}

TEST_F(Ec2ClientTest, DescribeImagesAsksForOwnImagesWithTheTagAndReadsItems) {
  transport_.answers.push_back(
      Answer(200, Response("DescribeImages",
                           "<imagesSet><item><imageId>ami-1</imageId><name>web</name>"
                           "<imageState>available</imageState><tagSet><item><key>i2kit:image-digest"
                           "</key><value>sha256:ab</value></item></tagSet></item></imagesSet>")));
  Result<std::vector<Ec2Image>> images =
      Ec2Client(context_).DescribeOwnImages("tag:i2kit:image-digest", "sha256:ab");
  ASSERT_TRUE(images.ok()) << images.status().message();
  ASSERT_EQ(images->size(), 1u);
  EXPECT_EQ((*images)[0].id, "ami-1");
  EXPECT_EQ((*images)[0].state, "available");
  ASSERT_EQ((*images)[0].tags.size(), 1u);
  EXPECT_EQ((*images)[0].tags[0].value, "sha256:ab");
  EXPECT_EQ(transport_.urls[0], "https://ec2.eu-west-1.amazonaws.com/");
  EXPECT_EQ(transport_.sent[0].body,
            "Action=DescribeImages&Version=2016-11-15&Owner.1=self&Filter.1.Name=tag%3Ai2kit%3A"
            "image-digest&Filter.1.Value.1=sha256%3Aab");
}

TEST_F(Ec2ClientTest, RegisterImageAsksForUefiPreferredEnaImdsV2AndAGp3Root) {
  transport_.answers.push_back(
      Answer(200, Response("RegisterImage", "<imageId>ami-0abc</imageId>")));
  Result<std::string> id =
      Ec2Client(context_).RegisterImage({"i2kit-web-ab12", "web sha256:ab12", "snap-1"});
  ASSERT_TRUE(id.ok()) << id.status().message();
  EXPECT_EQ(*id, "ami-0abc");
  EXPECT_EQ(transport_.sent[0].body,
            "Action=RegisterImage&Version=2016-11-15&Name=i2kit-web-ab12&Description=web%20sha256"
            "%3Aab12&Architecture=x86_64&VirtualizationType=hvm&RootDeviceName=%2Fdev%2Fxvda&"
            "BlockDeviceMapping.1.DeviceName=%2Fdev%2Fxvda&BlockDeviceMapping.1.Ebs.SnapshotId="
            "snap-1&BlockDeviceMapping.1.Ebs.VolumeType=gp3&BlockDeviceMapping.1.Ebs."
            "DeleteOnTermination=true&BootMode=uefi-preferred&EnaSupport=true&ImdsSupport=v2.0");
}

TEST_F(Ec2ClientTest, DescribeSnapshotReadsStateAndMessage) {
  transport_.answers.push_back(Answer(
      200, Response("DescribeSnapshots",
                    "<snapshotSet><item><snapshotId>snap-1</snapshotId><status>error</status>"
                    "<statusMessage>checksum</statusMessage><progress>80%</progress></item>"
                    "</snapshotSet>")));
  Result<std::optional<Ec2Snapshot>> snapshot = Ec2Client(context_).DescribeSnapshot("snap-1");
  ASSERT_TRUE(snapshot.ok()) << snapshot.status().message();
  ASSERT_TRUE(snapshot->has_value());
  EXPECT_EQ((*snapshot)->state, "error");
  EXPECT_EQ((*snapshot)->state_message, "checksum");
  EXPECT_EQ(transport_.sent[0].body,
            "Action=DescribeSnapshots&Version=2016-11-15&SnapshotId.1=snap-1");
}

TEST_F(Ec2ClientTest, AnUnknownSnapshotIsNoneAndOtherErrorsNameTheirCode) {
  // A snapshot EBS just made may be unknown to EC2 for a while: two looks here.
  context_.consistency = {std::chrono::seconds(1), std::chrono::seconds(2)};
  for (int i = 0; i < 2; ++i) {
    transport_.answers.push_back(
        Answer(400,
               "<Response><Errors><Error><Code>InvalidSnapshot.NotFound</Code><Message>gone"
               "</Message></Error></Errors><RequestID>r2</RequestID></Response>"));
  }
  transport_.answers.push_back(
      Answer(403,
             "<Response><Errors><Error><Code>UnauthorizedOperation</Code><Message>no</Message>"
             "</Error></Errors><RequestID>r3</RequestID></Response>"));
  Ec2Client client(context_);
  Result<std::optional<Ec2Snapshot>> gone = client.DescribeSnapshot("snap-1");
  ASSERT_TRUE(gone.ok()) << gone.status().message();
  EXPECT_FALSE(gone->has_value());
  EXPECT_EQ(transport_.sent.size(), 2u);
  Result<std::optional<Ec2Snapshot>> refused = client.DescribeSnapshot("snap-1");
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().message(),
            "ec2 DescribeSnapshots: UnauthorizedOperation: no (HTTP 403, request r3)");
}

TEST_F(Ec2ClientTest, CreateTagsListsResourcesAndTagsWithoutMember) {
  transport_.answers.push_back(Answer(200, Response("CreateTags", "<return>true</return>")));
  Status tagged = Ec2Client(context_).CreateTags({"ami-1", "snap-1"}, {{"Name", "web"}});
  ASSERT_TRUE(tagged.ok()) << tagged.message();
  EXPECT_EQ(transport_.sent[0].body,
            "Action=CreateTags&Version=2016-11-15&ResourceId.1=ami-1&ResourceId.2=snap-1&"
            "Tag.1.Key=Name&Tag.1.Value=web");
}

TEST_F(Ec2ClientTest, AttachVolumeSendsDeviceInstanceAndVolumeAndReadsTheAttachment) {
  transport_.answers.push_back(Answer(
      200, Response("AttachVolume",
                    "<attachTime>2026-12-07T10:00:00.000Z</attachTime><device>/dev/sdf</device>"
                    "<instanceId>i-new</instanceId><status>attaching</status>"
                    "<volumeId>vol-0abc</volumeId>")));
  Result<Ec2VolumeAttachment> attached =
      Ec2Client(context_).AttachVolume("vol-0abc", "i-new", "/dev/sdf");
  ASSERT_TRUE(attached.ok()) << attached.status().message();
  EXPECT_EQ(attached->instance_id, "i-new");
  EXPECT_EQ(attached->device, "/dev/sdf");
  EXPECT_EQ(attached->state, "attaching");
  EXPECT_EQ(transport_.sent[0].body,
            "Action=AttachVolume&Version=2016-11-15&Device=%2Fdev%2Fsdf&InstanceId=i-new&"
            "VolumeId=vol-0abc");
}

TEST_F(Ec2ClientTest, AttachVolumeHeldElsewhereGivesVolumeInUseAsItsCode) {
  transport_.answers.push_back(
      Answer(400,
             "<Response><Errors><Error><Code>VolumeInUse</Code><Message>vol-0abc is already "
             "attached to an instance</Message></Error></Errors><RequestID>r4</RequestID>"
             "</Response>"));
  AwsError error;
  Result<Ec2VolumeAttachment> attached =
      Ec2Client(context_).AttachVolume("vol-0abc", "i-new", "/dev/sdf", &error);
  ASSERT_FALSE(attached.ok());
  EXPECT_EQ(error.code, "VolumeInUse");
  EXPECT_EQ(transport_.sent.size(), 1u);  // not retried by the client: the caller waits
}

TEST_F(Ec2ClientTest, DescribeVolumeReadsStateSizeAndEveryAttachment) {
  transport_.answers.push_back(
      Answer(200, Response("DescribeVolumes",
                           "<volumeSet><item><volumeId>vol-0abc</volumeId><size>10</size>"
                           "<availabilityZone>eu-west-1a</availabilityZone><status>in-use</status>"
                           "<attachmentSet><item><volumeId>vol-0abc</volumeId><instanceId>i-old"
                           "</instanceId><device>/dev/sdf</device><status>detaching</status>"
                           "<deleteOnTermination>false</deleteOnTermination></item></attachmentSet>"
                           "</item></volumeSet>")));
  Result<Ec2Volume> volume = Ec2Client(context_).DescribeVolume("vol-0abc");
  ASSERT_TRUE(volume.ok()) << volume.status().message();
  EXPECT_EQ(volume->state, "in-use");
  EXPECT_EQ(volume->size_gib, 10);
  EXPECT_EQ(volume->availability_zone, "eu-west-1a");
  ASSERT_EQ(volume->attachments.size(), 1u);
  EXPECT_EQ(volume->attachments[0].instance_id, "i-old");
  EXPECT_EQ(volume->attachments[0].state, "detaching");
  EXPECT_EQ(transport_.sent[0].body,
            "Action=DescribeVolumes&Version=2016-11-15&VolumeId.1=vol-0abc");
}

}  // namespace
}  // namespace i2kit::aws
