#include "image-builder/disk_layout.h"

#include <gtest/gtest.h>

namespace i2kit {
namespace {

const std::string kSeed = "sha256:" + std::string(64, '1');

std::vector<PartitionRequest> EspAndOneRoot(uint64_t esp_bytes, uint64_t root_bytes) {
  return {{kEspPartitionName, kEspTypeGuid, esp_bytes, true},
          {"web", kLinuxDataTypeGuid, root_bytes, false}};
}

TEST(DiskLayoutTest, TheFirstPartitionStartsAtTheFirstAlignedSectorAfterThePrimaryGpt) {
  Result<DiskLayout> layout = PlanDiskLayout(EspAndOneRoot(8192, 4096), kSeed);
  ASSERT_TRUE(layout.ok()) << layout.status().message();
  // Sectors 0-33: protective MBR, header, 32 sectors of entries; 40 is the next 4 KiB.
  EXPECT_EQ(layout->partitions[0].first_sector, 40u);
  EXPECT_EQ(layout->partitions[0].offset_bytes(), 40u * 512);
}

TEST(DiskLayoutTest, PartitionsFollowEachOtherRoundedUpToFourKibibytes) {
  Result<DiskLayout> layout = PlanDiskLayout(EspAndOneRoot(8193, 4096), kSeed);
  ASSERT_TRUE(layout.ok());
  EXPECT_EQ(layout->partitions[0].sectors, 24u);  // 8193 bytes -> 12 KiB
  EXPECT_EQ(layout->partitions[1].first_sector, 64u);
  EXPECT_EQ(layout->partitions[1].sectors, 8u);
}

TEST(DiskLayoutTest, TheDiskEndsWithRoomForTheBackupGptAndNothingMore) {
  Result<DiskLayout> layout = PlanDiskLayout(EspAndOneRoot(8192, 4096), kSeed);
  ASSERT_TRUE(layout.ok());
  // The last partition ends at sector 64; 33 backup sectors give 97, aligned up to 104.
  EXPECT_EQ(layout->total_sectors, 104u);
  EXPECT_EQ(layout->bytes(), 104u * 512);
}

TEST(DiskLayoutTest, GuidsAreTheSameForTheSameSeedAndDifferForAnother) {
  Result<DiskLayout> one = PlanDiskLayout(EspAndOneRoot(8192, 4096), kSeed);
  Result<DiskLayout> again = PlanDiskLayout(EspAndOneRoot(8192, 4096), kSeed);
  Result<DiskLayout> other =
      PlanDiskLayout(EspAndOneRoot(8192, 4096), "sha256:" + std::string(64, '2'));
  ASSERT_TRUE(one.ok() && again.ok() && other.ok());
  EXPECT_EQ(one->disk_guid, again->disk_guid);
  EXPECT_EQ(one->partitions[1].guid, again->partitions[1].guid);
  EXPECT_NE(one->disk_guid, other->disk_guid);
  EXPECT_NE(one->partitions[1].guid, other->partitions[1].guid);
  EXPECT_NE(one->partitions[0].guid, one->partitions[1].guid);
}

TEST(DiskLayoutTest, DerivedGuidsAreVersionEightRfc9562Uuids) {
  Result<std::string> guid = DerivedGuid(kSeed, "disk");
  ASSERT_TRUE(guid.ok());
  ASSERT_EQ(guid->size(), 36u);
  EXPECT_EQ((*guid)[8], '-');
  EXPECT_EQ((*guid)[14], '8');
  EXPECT_NE(std::string("89AB").find((*guid)[19]), std::string::npos);
  EXPECT_EQ(*guid, *DerivedGuid(kSeed, "disk"));
}

TEST(DiskLayoutTest, RefusesTwoPartitionsWithOneName) {
  std::vector<PartitionRequest> requests = EspAndOneRoot(4096, 4096);
  requests.push_back(requests[1]);
  Result<DiskLayout> layout = PlanDiskLayout(requests, kSeed);
  ASSERT_FALSE(layout.ok());
  EXPECT_NE(layout.status().message().find("'web'"), std::string::npos);
}

TEST(DiskLayoutTest, RefusesNamesLongerThanGptHolds) {
  Result<DiskLayout> layout =
      PlanDiskLayout({{std::string(37, 'a'), kLinuxDataTypeGuid, 1, false}}, kSeed);
  EXPECT_FALSE(layout.ok());
}

TEST(DiskLayoutTest, ShortContainerNamesAreTheirOwnPartitionNames) {
  EXPECT_EQ(*RootfsPartitionName("web"), "web");
  EXPECT_EQ(*RootfsPartitionName(std::string(36, 'a')), std::string(36, 'a'));
}

TEST(DiskLayoutTest, LongContainerNamesAreShortenedWithADigestThatKeepsThemApart) {
  std::string one = *RootfsPartitionName(std::string(40, 'a') + "-one");
  std::string two = *RootfsPartitionName(std::string(40, 'a') + "-two");
  EXPECT_EQ(one.size(), kGptNameMaxChars);
  EXPECT_EQ(one.substr(0, 28), std::string(27, 'a') + "-");
  EXPECT_NE(one, two);
}

TEST(DiskLayoutTest, TheSfdiskScriptStatesEveryValue) {
  Result<DiskLayout> layout = PlanDiskLayout(EspAndOneRoot(8192, 4096), kSeed);
  ASSERT_TRUE(layout.ok());
  std::string script = SfdiskScript(*layout);
  EXPECT_NE(script.find("label: gpt\nlabel-id: " + layout->disk_guid + "\n"), std::string::npos);
  EXPECT_NE(script.find("first-lba: 34\nlast-lba: 70\n"), std::string::npos);
  EXPECT_NE(script.find("start=40, size=16, type=" + std::string(kEspTypeGuid) +
                        ", uuid=" + layout->partitions[0].guid +
                        ", name=\"EFI System\", attrs=\"LegacyBIOSBootable\"\n"),
            std::string::npos);
  EXPECT_NE(script.find("start=56, size=8, type=" + std::string(kLinuxDataTypeGuid) +
                        ", uuid=" + layout->partitions[1].guid + ", name=\"web\"\n"),
            std::string::npos);
}

}  // namespace
}  // namespace i2kit
