// attach-volumes' decisions: what a look at a volume says to do, which refusals are waited
// out, the device names and NVMe serials, the capped back-off.
#include "ec2-reporter/volume_attach.h"

#include <gtest/gtest.h>

namespace i2kit::reporter {
namespace {

constexpr char kSelf[] = "i-0new";

aws::Ec2Volume Volume(std::string state, std::vector<aws::Ec2VolumeAttachment> attachments) {
  return {"vol-0abc", std::move(state), "us-east-1a", 10, std::move(attachments)};
}

TEST(VolumeAttachTest, AnAvailableVolumeIsAttached) {
  EXPECT_EQ(DecideAttach(Volume("available", {}), kSelf).action, AttachAction::kAttach);
}

TEST(VolumeAttachTest, AVolumeTheOldInstanceHoldsOrIsDetachingIsWaitedForNamingIt) {
  for (const char* state : {"attached", "attaching", "detaching", "busy"}) {
    AttachDecision d = DecideAttach(Volume("in-use", {{"i-0old", "/dev/sdf", state}}), kSelf);
    EXPECT_EQ(d.action, AttachAction::kWait) << state;
    EXPECT_EQ(d.why, std::string("release by i-0old (") + state + ")");
  }
}

TEST(VolumeAttachTest, AttachedHereIsDoneAndAttachingHereIsWaitedFor) {
  EXPECT_EQ(DecideAttach(Volume("in-use", {{kSelf, "/dev/sdf", "attached"}}), kSelf).action,
            AttachAction::kAttached);  // a reboot
  AttachDecision attaching =
      DecideAttach(Volume("in-use", {{kSelf, "/dev/sdf", "attaching"}}), kSelf);
  EXPECT_EQ(attaching.action, AttachAction::kWait);
  EXPECT_EQ(attaching.why, "its attachment to this instance (attaching)");
}

TEST(VolumeAttachTest, ANewVolumeIsWaitedForAndADeletedOneFails) {
  EXPECT_EQ(DecideAttach(Volume("creating", {}), kSelf).action, AttachAction::kWait);
  for (const char* state : {"deleting", "deleted", "error"}) {
    AttachDecision d = DecideAttach(Volume(state, {}), kSelf);
    EXPECT_EQ(d.action, AttachAction::kFail) << state;
    EXPECT_EQ(d.why, std::string("the volume is ") + state);
  }
}

TEST(VolumeAttachTest, OnlyRefusalsThatTimeClearsAreWaitedOut) {
  for (const char* code : {"VolumeInUse", "IncorrectState", "InvalidVolume.NotFound", ""}) {
    EXPECT_TRUE(AttachErrorIsTransient(code)) << code;
  }
  for (const char* code : {"UnauthorizedOperation", "InvalidVolume.ZoneMismatch",
                           "InvalidParameterValue", "InvalidInstanceID.NotFound"}) {
    EXPECT_FALSE(AttachErrorIsTransient(code)) << code;
  }
}

TEST(VolumeAttachTest, DevicesRunFromSdfAndSerialsAreTheIdWithoutItsDash) {
  EXPECT_EQ(AttachDevice(0), "/dev/sdf");
  EXPECT_EQ(AttachDevice(kMaxAttachedVolumes - 1), "/dev/sdp");
  EXPECT_EQ(NvmeSerialOf("vol-0123456789abcdef0"), "vol0123456789abcdef0");
}

TEST(VolumeAttachTest, TheBackOffDoublesFromOneSecondUpToTen) {
  EXPECT_EQ(AttachBackoff(0), std::chrono::seconds(1));
  EXPECT_EQ(AttachBackoff(1), std::chrono::seconds(2));
  EXPECT_EQ(AttachBackoff(3), std::chrono::seconds(8));
  EXPECT_EQ(AttachBackoff(4), std::chrono::seconds(10));
  EXPECT_EQ(AttachBackoff(1000), std::chrono::seconds(10));
}

TEST(VolumeAttachTest, MoreVolumesThanDeviceNamesAreRefusedBeforeAnyCall) {
  InstanceIdentity identity;
  for (size_t i = 0; i <= kMaxAttachedVolumes; ++i) {
    identity.volumes["v" + std::to_string(i)] = "vol-1a2b3c4d";
  }
  Result<std::map<std::string, std::string>> attached =
      AttachVolumes(identity, Clock::now(), AttachLinks{});  // no EC2 client: never called
  ASSERT_FALSE(attached.ok());
  EXPECT_NE(attached.status().message().find("at most 11"), std::string::npos);
}

}  // namespace
}  // namespace i2kit::reporter
