#include "image-builder/boot_partition.h"

#include <gtest/gtest.h>

namespace i2kit {
namespace {

TEST(BootPartitionTest, BothLoadersBootTheSameKernelInitrdAndCommandLine) {
  std::string syslinux = SyslinuxConfig("console=ttyS0 ip=dhcp");
  EXPECT_NE(syslinux.find("LINUX /bzImage\n"), std::string::npos);
  EXPECT_NE(syslinux.find("INITRD /initrd.img\n"), std::string::npos);
  EXPECT_NE(syslinux.find("APPEND console=ttyS0 ip=dhcp\n"), std::string::npos);
  std::string entry = SystemdBootEntry("console=ttyS0 ip=dhcp");
  EXPECT_NE(entry.find("linux /bzImage\n"), std::string::npos);
  EXPECT_NE(entry.find("initrd /initrd.img\n"), std::string::npos);
  EXPECT_NE(entry.find("options console=ttyS0 ip=dhcp\n"), std::string::npos);
}

TEST(BootPartitionTest, NeitherLoaderWaitsForAKey) {
  EXPECT_NE(SyslinuxConfig("").find("PROMPT 0\nTIMEOUT 0\n"), std::string::npos);
  EXPECT_NE(SystemdBootLoaderConf().find("timeout 0\n"), std::string::npos);
  EXPECT_NE(SystemdBootLoaderConf().find("editor no\n"), std::string::npos);
}

TEST(BootPartitionTest, UefiFindsSystemdBootAtTheRemovableMediaPath) {
  std::vector<BootFile> files = BootFiles("/k", "/i", "");
  ASSERT_FALSE(files.empty());
  EXPECT_EQ(files[0].path, "EFI/BOOT/BOOTX64.EFI");
  EXPECT_EQ(files[0].source, kSystemdBootEfi);
}

TEST(BootPartitionTest, TheFilesystemHoldsItsFilesWithLittleToSpare) {
  const uint64_t kernel = 3376128, initrd = 5713637;
  uint64_t bytes = FatFilesystemBytes({kernel, initrd}, 4);
  EXPECT_EQ(bytes % 4096, 0u);
  EXPECT_GT(bytes, kernel + initrd + kSyslinuxFilesBytes);
  // FATs, root directory and spare clusters: well under 1% of the content here.
  EXPECT_LT(bytes, kernel + initrd + kSyslinuxFilesBytes + 128 * 1024);
}

}  // namespace
}  // namespace i2kit
