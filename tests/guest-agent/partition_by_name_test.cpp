#include "guest-agent/partition_by_name.h"

#include <gtest/gtest.h>

#include "test_temp_dir.h"

namespace i2kit {
namespace {

using guest_test::TempDir;

const char kNvmePartition[] =
    "MAJOR=259\nMINOR=2\nDEVNAME=nvme0n1p2\nDEVTYPE=partition\nDISKSEQ=1\nPARTN=2\n"
    "PARTNAME=web\n";

TEST(PartitionByNameTest, ReadsTheDevnameOfAPartitionWithThatName) {
  EXPECT_EQ(DevnameIfPartition(kNvmePartition, "web"), "nvme0n1p2");
}

TEST(PartitionByNameTest, IgnoresOtherNamesAndWholeDisks) {
  EXPECT_EQ(DevnameIfPartition(kNvmePartition, "we"), "");
  EXPECT_EQ(DevnameIfPartition(kNvmePartition, "web2"), "");
  EXPECT_EQ(DevnameIfPartition("MAJOR=254\nMINOR=0\nDEVNAME=vda\nDEVTYPE=disk\n", "web"), "");
}

TEST(PartitionByNameTest, FindsTheDeviceNodeAmongTheBlockDevices) {
  TempDir sys;
  sys.Write("vda/uevent", "MAJOR=254\nMINOR=0\nDEVNAME=vda\nDEVTYPE=disk\n");
  sys.Write("vda1/uevent", "DEVNAME=vda1\nDEVTYPE=partition\nPARTNAME=EFI System\n");
  sys.Write("vda2/uevent", "DEVNAME=vda2\nDEVTYPE=partition\nPARTNAME=web\n");
  Result<std::string> device = FindPartitionByName(sys.path(), "web");
  ASSERT_TRUE(device.ok()) << device.status().message();
  EXPECT_EQ(*device, "/dev/vda2");
}

TEST(PartitionByNameTest, RefusesToChooseBetweenTwoPartitionsOfTheSameName) {
  TempDir sys;
  sys.Write("vda2/uevent", "DEVNAME=vda2\nPARTNAME=web\n");
  sys.Write("vdb2/uevent", "DEVNAME=vdb2\nPARTNAME=web\n");
  Result<std::string> device = FindPartitionByName(sys.path(), "web");
  ASSERT_FALSE(device.ok());
  EXPECT_NE(device.status().message().find("two devices"), std::string::npos);
}

TEST(PartitionByNameTest, SaysWhichNameItDidNotFind) {
  TempDir sys;
  sys.Write("vda/uevent", "DEVNAME=vda\nDEVTYPE=disk\n");
  Result<std::string> device =
      WaitForPartitionByName(sys.path(), "web", std::chrono::milliseconds(0));
  ASSERT_FALSE(device.ok());
  EXPECT_NE(device.status().message().find("no partition named 'web'"), std::string::npos);
}

}  // namespace
}  // namespace i2kit
