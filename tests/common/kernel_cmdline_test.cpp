// The Pod VM's kernel command lines, each as the kernel and the agent must read it.
#include "common/kernel_cmdline.h"

#include <gtest/gtest.h>

namespace i2kit::pod_vm {
namespace {

TEST(KernelCmdlineTest, WordsAreJoinedByOneSpaceWhateverTheBaseEndsWith) {
  EXPECT_EQ(KernelCmdline().Add("quiet").Set("a", "1").str(), "quiet a=1");
  EXPECT_EQ(KernelCmdline("console=ttyS0 ").Add("quiet").str(), "console=ttyS0 quiet");
}

TEST(KernelCmdlineTest, TheDirectBootResetsOnPanicQuietlyOnTheSerialConsole) {
  EXPECT_EQ(DirectBootCmdline(), "console=ttyS0 panic=-1 reboot=t quiet");
}

TEST(KernelCmdlineTest, TheBootDiskCarriesWhatEc2NeedsAndFindsRootsByPartitionName) {
  EXPECT_EQ(BootDiskCmdline(),
            "console=ttyS0,115200n8 panic=-1 reboot=t quiet nvme_core.io_timeout=4294967295 "
            "ip=dhcp no_timer_check i2kit.rootfs=partname");
}

TEST(KernelCmdlineTest, TheProbeShowsItsBoot) {
  EXPECT_EQ(ProbeCmdline(), "console=ttyS0 panic=-1 reboot=t");
}

TEST(KernelCmdlineTest, AReplicaGetsItsNumberAndStaticIpThenTheOptionalKeys) {
  EXPECT_EQ(ReplicaCmdline("console=ttyS0", {0, 0, false}),
            "console=ttyS0 i2kit.replica=0 "
            "ip=10.0.2.15::10.0.2.2:255.255.255.0::eth0:off:10.0.2.3");
  EXPECT_EQ(ReplicaCmdline("", {3, 2445000, true}),
            "i2kit.replica=3 ip=10.0.2.15::10.0.2.2:255.255.255.0::eth0:off:10.0.2.3 "
            "tsc_early_khz=2445000 i2kit.metadata=10.0.2.4");
}

}  // namespace
}  // namespace i2kit::pod_vm
