// Finding a persistent volume's disk by its serial in sysfs, and giving a tree to the fsGroup.
#include "guest-agent/persistent_volume.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include "test_temp_dir.h"

namespace i2kit {
namespace {

using guest_test::TempDir;
using std::chrono::milliseconds;

TEST(PersistentVolumeTest, FindsAVirtioDiskByItsSerial) {
  TempDir sys;
  sys.Write("vda/serial", "");
  sys.Write("vdb/serial", "i2kit-vol0");
  sys.Write("vdc/serial", "i2kit-vol1");
  Result<std::string> device = WaitForDiskBySerial(sys.path(), "i2kit-vol1", milliseconds(0));
  ASSERT_TRUE(device.ok()) << device.status().message();
  EXPECT_EQ(*device, "/dev/vdc");
}

TEST(PersistentVolumeTest, FindsAnEbsVolumeOnNvmeByItsIdWithoutTheDash) {
  TempDir sys;
  // EBS pads the NVMe serial with blanks; partitions of the disk carry no serial of their own.
  sys.Write("nvme0n1/device/serial", "vol0aaaaaaaaaaaaaaaa\n");
  sys.Write("nvme1n1/device/serial", "vol0123456789abcdef0    \n");
  sys.Write("nvme1n1p1/partition", "1\n");
  sys.Write("nvme1n1p1/device/serial", "vol0123456789abcdef0\n");
  EXPECT_EQ(DiskSerial(sys.path(), "nvme1n1"), "vol0123456789abcdef0");
  Result<std::string> device =
      WaitForDiskBySerial(sys.path(), "vol0123456789abcdef0", milliseconds(0));
  ASSERT_TRUE(device.ok()) << device.status().message();
  EXPECT_EQ(*device, "/dev/nvme1n1");
}

TEST(PersistentVolumeTest, NamesTheSerialItDidNotFind) {
  TempDir sys;
  sys.Write("vda/serial", "");
  Result<std::string> device = WaitForDiskBySerial(sys.path(), "i2kit-vol0", milliseconds(100));
  ASSERT_FALSE(device.ok());
  EXPECT_NE(device.status().message().find("no disk with serial 'i2kit-vol0'"), std::string::npos);
}

}  // namespace
}  // namespace i2kit
