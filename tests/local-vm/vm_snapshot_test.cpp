// Warm-start snapshots: the key covers what must match and nothing per replica; files are
// private, dropped when their key is another, claimed by one boot at a time; a restore whose
// QEMU exits is reported with QEMU's last words.
#include "local-vm/vm_snapshot.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace i2kit {
namespace {

namespace fs = std::filesystem;

VmArtifacts Artifacts() {
  VmArtifacts a;
  a.deployment = "web";
  a.disks = {"web.erofs"};
  a.memory_mib = 64;
  a.cpus = 1;
  a.cmdline = "console=ttyS0";
  a.image_digest = "sha256:1111";
  a.build_key = "sha256:2222";
  return a;
}

QemuOptions Replica(int replica, int port) {
  QemuOptions o;
  o.replica = replica;
  o.tcg_tsc_khz = 2400000 + replica;
  o.agent_host_port = port;
  o.exec_host_port = port + 1;
  o.ports = {{port + 2, 8080, Protocol::kTcp}};
  o.metadata_command = "/usr/bin/i2kit-host metadata-serve";
  return o;
}

std::string Key(const VmArtifacts& a, const QemuOptions& o, const std::string& qemu = "q 1") {
  return SnapshotKey(a, "/art", o, qemu);
}

TEST(VmSnapshotTest, KeyIsTheSameForEveryReplicaOfOneBuild) {
  EXPECT_EQ(Key(Artifacts(), Replica(0, 40000)), Key(Artifacts(), Replica(7, 41234)));
  EXPECT_EQ(Key(Artifacts(), Replica(0, 40000)).size(), 64u);
}

TEST(VmSnapshotTest, KeyChangesWithTheBuildQemuMemoryCpusAndDevices) {
  const std::string base = Key(Artifacts(), Replica(0, 40000));
  VmArtifacts a = Artifacts();
  a.build_key = "sha256:3333";
  EXPECT_NE(Key(a, Replica(0, 40000)), base);
  a = Artifacts();
  a.image_digest = "sha256:4444";
  EXPECT_NE(Key(a, Replica(0, 40000)), base);
  a = Artifacts();
  a.cpus = 2;
  EXPECT_NE(Key(a, Replica(0, 40000)), base);
  a = Artifacts();
  a.disks.push_back("sidecar.erofs");
  EXPECT_NE(Key(a, Replica(0, 40000)), base);
  QemuOptions o = Replica(0, 40000);
  o.memory_mib = 128;
  EXPECT_NE(Key(Artifacts(), o), base);
  o = Replica(0, 40000);
  o.accelerator = Accelerator::kKvm;
  EXPECT_NE(Key(Artifacts(), o), base);
  o = Replica(0, 40000);
  o.ports.push_back({40010, 9090, Protocol::kTcp});  // one more forwarded port: another netdev
  EXPECT_NE(Key(Artifacts(), o), base);
  EXPECT_NE(Key(Artifacts(), Replica(0, 40000), "q 2"), base);
}

TEST(VmSnapshotTest, KeyChangesWithTheKernelFileBootedAndTheDirectKernelsContent) {
  VmArtifacts a = Artifacts();
  a.direct_kernel = {"/cache/k/vmlinux", "sha256:5555", "sha256:6666"};
  QemuOptions bzimage = Replica(0, 40000);
  bzimage.kernel = "/art/bzImage";
  QemuOptions vmlinux = Replica(0, 40000);
  vmlinux.kernel = "/cache/k/vmlinux";
  const std::string direct = Key(a, vmlinux);
  EXPECT_NE(Key(a, bzimage), direct);
  // A vmlinux rebuilt in place: the same path, other bytes, another key.
  a.direct_kernel.sha256 = "sha256:7777";
  EXPECT_NE(Key(a, vmlinux), direct);
}

TEST(VmSnapshotTest, RestoreArgvAddsIncomingWithTheFileQuotedForTheShell) {
  std::vector<std::string> argv = RestoreArgv({"qemu", "-M", "microvm"}, "/s/it's.vmstate");
  ASSERT_EQ(argv.size(), 5u);
  EXPECT_EQ(argv[3], "-incoming");
  EXPECT_EQ(argv[4], "exec:cat '/s/it'\\''s.vmstate'");
}

TEST(VmSnapshotTest, QemuBinaryIdentityNamesTheFileFoundOnPath) {
  Result<std::string> sh = QemuBinaryIdentity("sh");
  ASSERT_TRUE(sh.ok()) << sh.status().message();
  EXPECT_EQ(sh->front(), '/');
  EXPECT_FALSE(QemuBinaryIdentity("no-such-qemu-anywhere").ok());
}

class SnapshotFilesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() /
            ("i2kit-snap-" + std::to_string(::getpid()) + "-" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(root_);
    fs::create_directories(root_);
  }
  void TearDown() override { fs::remove_all(root_); }
  void Touch(const std::string& path) { std::ofstream(path) << "x"; }
  fs::path root_;
};

TEST_F(SnapshotFilesTest, DropOtherSnapshotsKeepsOnlyThisKeyAndOtherDeployments) {
  const std::string k1(64, 'a'), k2(64, 'b');
  std::string keep = SnapshotPath(root_, "web", k1);
  ASSERT_TRUE(DropOtherSnapshots(root_, "web", keep, std::chrono::seconds(600)).ok());
  EXPECT_EQ(fs::status(root_ / kSnapshotsDir).permissions() & fs::perms::all, fs::perms::owner_all);
  Touch(keep);
  Touch(SnapshotPath(root_, "web", k2));
  Touch(SnapshotPath(root_, "web-api", k2));
  ASSERT_TRUE(DropOtherSnapshots(root_, "web", keep, std::chrono::seconds(600)).ok());
  EXPECT_TRUE(fs::exists(keep));
  EXPECT_FALSE(fs::exists(SnapshotPath(root_, "web", k2)));
  EXPECT_TRUE(fs::exists(SnapshotPath(root_, "web-api", k2)));
}

TEST_F(SnapshotFilesTest, OneBootClaimsTheMakingAndTheClaimFileIsPrivate) {
  std::string path = SnapshotPath(root_, "web", std::string(64, 'c'));
  fs::create_directories(root_ / kSnapshotsDir);
  Result<bool> first = ClaimSnapshot(path, std::chrono::seconds(600));
  ASSERT_TRUE(first.ok()) << first.status().message();
  EXPECT_TRUE(*first);
  struct stat info {};
  ASSERT_EQ(::stat((path + ".partial").c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600u);
  EXPECT_FALSE(ClaimSnapshot(path, std::chrono::seconds(600)).value());
  // A claim older than the stale limit belongs to a VM that died: taken over.
  fs::last_write_time(path + ".partial",
                      fs::file_time_type::clock::now() - std::chrono::seconds(700));
  EXPECT_TRUE(ClaimSnapshot(path, std::chrono::seconds(600)).value());
}

TEST_F(SnapshotFilesTest, AwaitRestoreReportsQemuExitingWithItsLastLine) {
  std::string log = (root_ / "qemu.log").string();
  std::ofstream(log) << "qemu-system-x86_64: load of migration failed: Invalid argument\n";
  Result<VmProcess> process = VmProcess::Spawn({{"false"}, "", -1, -1});
  ASSERT_TRUE(process.ok()) << process.status().message();
  Status restored =
      AwaitRestore(process.value(), (root_ / "qmp.sock").string(), log, std::chrono::seconds(30));
  ASSERT_FALSE(restored.ok());
  EXPECT_NE(restored.message().find("exited with status 1"), std::string::npos)
      << restored.message();
  EXPECT_NE(restored.message().find("load of migration failed"), std::string::npos);
}

}  // namespace
}  // namespace i2kit
