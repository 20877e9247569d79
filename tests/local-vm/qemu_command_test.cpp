// The QEMU command line of a Pod VM replica, asserted argument by argument.
#include "local-vm/qemu_command.h"

#include <gtest/gtest.h>

#include <algorithm>

namespace i2kit {
namespace {

VmArtifacts WebArtifacts() {
  VmArtifacts a;
  a.deployment = "web";
  a.kernel = "bzImage";
  a.initrd = "initrd.img";
  a.disks = {"nginx.erofs", "/images/side,car.erofs"};
  a.memory_mib = 96;
  a.cpus = 2;
  a.cmdline = "console=ttyS0 quiet";
  return a;
}

QemuOptions TcgOptions() {
  QemuOptions o;
  o.accelerator = Accelerator::kTcg;
  o.tcg_tsc_khz = 2445000;
  o.replica = 1;
  o.ports = {{18080, 80, Protocol::kTcp}, {5353, 53, Protocol::kUdp}};
  o.agent_host_port = 40001;
  return o;
}

TEST(QemuCommandTest, TcgReplicaArgvIsExactlyTheGolden) {
  // One option and its value per line, as QEMU reads them.
  // clang-format off
  std::vector<std::string> expected = {
      "qemu-system-x86_64",
      "-M", "microvm",
      "-accel", "tcg,tb-size=32",
      "-cpu", "max",
      "-nodefaults", "-no-user-config", "-nographic", "-no-reboot",
      "-m", "96",
      "-smp", "2",
      "-kernel", "/art/web/bzImage",
      "-initrd", "/art/web/initrd.img",
      "-append",
      "console=ttyS0 quiet i2kit.replica=1 "
      "ip=10.0.2.15::10.0.2.2:255.255.255.0::eth0:off:10.0.2.3 tsc_early_khz=2445000",
      "-drive", "if=none,format=raw,readonly=on,file=/art/web/nginx.erofs,id=disk0",
      "-device", "virtio-blk-device,drive=disk0",
      "-drive", "if=none,format=raw,readonly=on,file=/images/side,,car.erofs,id=disk1",
      "-device", "virtio-blk-device,drive=disk1",
      "-netdev",
      "user,id=n0,ipv6=off,hostfwd=tcp:127.0.0.1:40001-:8089,hostfwd=tcp:127.0.0.1:18080-:80,"
      "hostfwd=udp:127.0.0.1:5353-:53",
      "-device", "virtio-net-device,netdev=n0",
      "-device", "virtio-rng-device",
      "-chardev", "file,id=console,append=on,path=console.log",
      "-serial", "chardev:console",
      "-qmp", "unix:qmp.sock,server=on,wait=off",
  };
  // clang-format on
  EXPECT_EQ(QemuArgv(WebArtifacts(), "/art/web", TcgOptions()), expected);
}

TEST(QemuCommandTest, AMetadataCommandBecomesAGuestForwardAndACmdlineKey) {
  QemuOptions o = TcgOptions();
  o.metadata_command = "/opt/i2kit host/i2kit-host metadata-serve,x";
  std::vector<std::string> argv = QemuArgv(WebArtifacts(), "/art/web", o);
  auto netdev = std::find(argv.begin(), argv.end(), "-netdev");
  ASSERT_NE(netdev, argv.end());
  EXPECT_NE((netdev + 1)
                ->find(",guestfwd=tcp:10.0.2.4:80-cmd:/opt/i2kit host/i2kit-host "
                       "metadata-serve,,x"),
            std::string::npos)
      << *(netdev + 1);
  auto append = std::find(argv.begin(), argv.end(), "-append");
  ASSERT_NE(append, argv.end());
  EXPECT_NE((append + 1)->find(" i2kit.metadata=10.0.2.4"), std::string::npos);
  // Without it, neither appears (the golden test pins the rest).
  for (const std::string& arg : QemuArgv(WebArtifacts(), "/art/web", TcgOptions())) {
    EXPECT_EQ(arg.find("guestfwd"), std::string::npos);
    EXPECT_EQ(arg.find("i2kit.metadata"), std::string::npos);
  }
}

TEST(QemuCommandTest, KvmUsesNoCpuModelNoTranslationCacheAndNoTscHint) {
  QemuOptions o = TcgOptions();
  o.accelerator = Accelerator::kKvm;
  std::vector<std::string> argv = QemuArgv(WebArtifacts(), "/art/web", o);
  ASSERT_GE(argv.size(), 6u);
  EXPECT_EQ(argv[3], "-accel");
  EXPECT_EQ(argv[4], "kvm");
  EXPECT_EQ(argv[5], "-nodefaults");
  for (const std::string& arg : argv) {
    EXPECT_EQ(arg.find("tsc_early_khz"), std::string::npos) << arg;
    EXPECT_NE(arg, "-cpu");
  }
}

TEST(QemuCommandTest, KernelAndMemoryOverridesWin) {
  QemuOptions o = TcgOptions();
  o.kernel = "/boot/other";
  o.memory_mib = 256;
  std::vector<std::string> argv = QemuArgv(WebArtifacts(), "/art/web", o);
  auto after = [&](const std::string& flag) {
    for (size_t i = 0; i + 1 < argv.size(); ++i) {
      if (argv[i] == flag) return argv[i + 1];
    }
    return std::string();
  };
  EXPECT_EQ(after("-kernel"), "/boot/other");
  EXPECT_EQ(after("-m"), "256");
}

TEST(QemuCommandTest, AttachesVolumeImagesWritableAfterTheContainerDisksWithTheirSerials) {
  QemuOptions o = TcgOptions();
  o.volume_images = {"/state/_volumes/web/data.ext4", "/state/_volumes/web/lo,gs.ext4"};
  std::vector<std::string> argv = QemuArgv(WebArtifacts(), "/art", o);
  std::vector<std::string> drives;
  for (size_t i = 0; i + 1 < argv.size(); ++i) {
    if (argv[i] == "-drive" || argv[i] == "-device") drives.push_back(argv[i + 1]);
  }
  ASSERT_GE(drives.size(), 8u);
  // The container disks first, read-only, so they stay /dev/vda and /dev/vdb.
  EXPECT_EQ(drives[0], "if=none,format=raw,readonly=on,file=/art/nginx.erofs,id=disk0");
  EXPECT_EQ(drives[4],
            "if=none,format=raw,discard=unmap,file=/state/_volumes/web/data.ext4,id=volume0");
  EXPECT_EQ(drives[5], "virtio-blk-device,drive=volume0,serial=i2kit-vol0");
  EXPECT_EQ(drives[6],
            "if=none,format=raw,discard=unmap,file=/state/_volumes/web/lo,,gs.ext4,id=volume1");
  EXPECT_EQ(drives[7], "virtio-blk-device,drive=volume1,serial=i2kit-vol1");
}

}  // namespace
}  // namespace i2kit
