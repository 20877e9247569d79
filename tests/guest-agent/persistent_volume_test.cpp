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

TEST(PersistentVolumeTest, GivesEveryFileToTheFsGroupWithGroupWriteAndSetgidDirectories) {
  TempDir root;
  root.Write("db/rows", "row 1\n");
  ASSERT_EQ(::chmod((root.path().string() + "/db/rows").c_str(), 0600), 0);
  gid_t gid = ::getegid();  // a group this process may give files to
  Status s = ApplyFsGroup(root.path().string(), gid, false);
  ASSERT_TRUE(s.ok()) << s.message();
  struct stat st {};
  ASSERT_EQ(::stat((root.path().string() + "/db/rows").c_str(), &st), 0);
  EXPECT_EQ(st.st_gid, gid);
  EXPECT_EQ(st.st_mode & 07777, 0660u);
  ASSERT_EQ(::stat((root.path().string() + "/db").c_str(), &st), 0);
  EXPECT_TRUE(st.st_mode & S_ISGID);
  EXPECT_TRUE(st.st_mode & S_IWGRP);
}

TEST(PersistentVolumeTest, OnRootMismatchLeavesAVolumeWhoseRootHasTheGroup) {
  TempDir root;
  root.Write("rows", "row 1\n");
  ASSERT_EQ(::chmod((root.path().string() + "/rows").c_str(), 0600), 0);
  Status s = ApplyFsGroup(root.path().string(), ::getegid(), /*only_on_root_mismatch=*/true);
  ASSERT_TRUE(s.ok()) << s.message();
  struct stat st {};
  ASSERT_EQ(::stat((root.path().string() + "/rows").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0600u);
}

}  // namespace
}  // namespace i2kit
