#include "image-builder/boot_disk.h"

#include <gtest/gtest.h>

#include <cstring>

#include "image-builder/boot_partition.h"
#include "image-builder/image_builder_test_util.h"
#include "image-builder/run_tool.h"

namespace i2kit {
namespace {

using test_util::TempDir;
namespace fs = std::filesystem;

const std::string kSeed = "sha256:" + std::string(64, 'a');

// A disk from stand-in files (not bootable, but laid out like a real one): a 300 KiB
// "kernel", a 200 KiB "initrd" and two "images" of 5000 and 8192 bytes.
class BootDiskTest : public ::testing::Test {
 protected:
  void SetUp() override {
    test_util::WriteFile(tmp_.path() / "bzImage", std::string(300 * 1024, 'k'));
    test_util::WriteFile(tmp_.path() / "initrd.img", std::string(200 * 1024, 'i'));
    test_util::WriteFile(tmp_.path() / "web.erofs", std::string(5000, 'w'));
    test_util::WriteFile(tmp_.path() / "db.erofs", std::string(8192, 'd'));
  }

  Result<DiskLayout> Write(const fs::path& disk) {
    fs::path scratch = disk.string() + ".scratch";
    fs::create_directories(scratch);
    BootDiskInput input;
    input.kernel = tmp_.path() / "bzImage";
    input.initrd = tmp_.path() / "initrd.img";
    input.cmdline = "console=ttyS0 ip=dhcp";
    input.images = {{"web", tmp_.path() / "web.erofs"}, {"db", tmp_.path() / "db.erofs"}};
    input.seed = kSeed;
    input.timestamp = 315532800;
    input.scratch = scratch;
    return WriteBootDisk(input, disk);
  }

  TempDir tmp_;
};

TEST_F(BootDiskTest, TwoBuildsGiveByteIdenticalDisks) {
  Result<DiskLayout> one = Write(tmp_.path() / "one.raw");
  ASSERT_TRUE(one.ok()) << one.status().message();
  Result<DiskLayout> two = Write(tmp_.path() / "two.raw");
  ASSERT_TRUE(two.ok()) << two.status().message();
  std::string first = test_util::ReadFile(tmp_.path() / "one.raw");
  EXPECT_EQ(first.size(), one->bytes());
  EXPECT_EQ(test_util::DigestOf(first),
            test_util::DigestOf(test_util::ReadFile(tmp_.path() / "two.raw")));
}

TEST_F(BootDiskTest, SfdiskReadsBackTheLayoutWithItsNamesAndGuids) {
  fs::path disk = tmp_.path() / "disk.raw";
  Result<DiskLayout> layout = Write(disk);
  ASSERT_TRUE(layout.ok()) << layout.status().message();
  Result<ToolOutput> dump = RunTool({"sfdisk", "--dump", disk.string()});
  ASSERT_TRUE(dump.ok()) << dump.status().message();
  EXPECT_NE(dump->out.find("label-id: " + layout->disk_guid), std::string::npos) << dump->out;
  for (const PlacedPartition& p : layout->partitions) {
    EXPECT_NE(
        dump->out.find("start=" + std::string(12 - std::to_string(p.first_sector).size(), ' ') +
                       std::to_string(p.first_sector)),
        std::string::npos)
        << dump->out;
    EXPECT_NE(dump->out.find("uuid=" + p.guid + ", name=\"" + p.request.name + "\""),
              std::string::npos)
        << dump->out;
  }
  EXPECT_NE(dump->out.find("attrs=\"LegacyBIOSBootable\""), std::string::npos) << dump->out;
  Result<ToolOutput> verify = RunTool({"sfdisk", "--verify", disk.string()});
  ASSERT_TRUE(verify.ok()) << verify.status().message();
  EXPECT_EQ(verify->out.find("problem"), std::string::npos) << verify->out;
}

TEST_F(BootDiskTest, EachImageIsItsPartitionsContent) {
  fs::path disk = tmp_.path() / "disk.raw";
  Result<DiskLayout> layout = Write(disk);
  ASSERT_TRUE(layout.ok()) << layout.status().message();
  std::string bytes = test_util::ReadFile(disk);
  const PlacedPartition& db = layout->partitions[2];
  EXPECT_EQ(bytes.substr(db.offset_bytes(), 8192), std::string(8192, 'd'));
  EXPECT_EQ(db.sectors, 16u);
  const PlacedPartition& web = layout->partitions[1];
  EXPECT_EQ(bytes.substr(web.offset_bytes(), 5000), std::string(5000, 'w'));
  // gptmbr.bin's boot code, then sfdisk's protective partition record and the 55AA mark.
  std::string mbr = test_util::ReadFile(kSyslinuxGptMbr);
  EXPECT_EQ(bytes.substr(0, 440), mbr.substr(0, 440));
  EXPECT_EQ(bytes.substr(510, 2), "\x55\xaa");
}

// The GPT header at `lba`: its "EFI PART" signature, and the LBAs of itself and of the other copy.
struct GptHeader {
  bool signed_ok = false;
  uint64_t my_lba = 0;
  uint64_t alternate_lba = 0;
};
GptHeader ReadGptHeader(const std::string& disk, uint64_t lba) {
  GptHeader header;
  const std::string sector = disk.substr(lba * kSectorBytes, kSectorBytes);
  header.signed_ok = sector.substr(0, 8) == "EFI PART";
  std::memcpy(&header.my_lba, sector.data() + 24, 8);  // little-endian, as x86-64
  std::memcpy(&header.alternate_lba, sector.data() + 32, 8);
  return header;
}

TEST_F(BootDiskTest, AGrownDiskHasItsBackupGptAtTheNewEndAndTheSameContents) {
  fs::path disk = tmp_.path() / "disk.raw";
  Result<DiskLayout> layout = Write(disk);
  ASSERT_TRUE(layout.ok()) << layout.status().message();
  const std::string before = test_util::ReadFile(disk);
  constexpr uint64_t kVolume = 8 << 20;  // 8 MiB: a small stand-in for a 1 GiB EBS volume
  ASSERT_TRUE(GrowBootDisk(disk, kVolume).ok());

  const std::string after = test_util::ReadFile(disk);
  ASSERT_EQ(after.size(), kVolume);
  const uint64_t last_lba = kVolume / kSectorBytes - 1;
  GptHeader primary = ReadGptHeader(after, 1);
  GptHeader backup = ReadGptHeader(after, last_lba);
  EXPECT_TRUE(primary.signed_ok && backup.signed_ok);
  EXPECT_EQ(primary.alternate_lba, last_lba);
  EXPECT_EQ(backup.my_lba, last_lba);
  EXPECT_EQ(backup.alternate_lba, 1u);
  EXPECT_EQ(after.substr(0, 440), before.substr(0, 440));  // the MBR's boot code
  for (const PlacedPartition& p : layout->partitions) {
    EXPECT_EQ(after.substr(p.offset_bytes(), p.sectors * kSectorBytes),
              before.substr(p.offset_bytes(), p.sectors * kSectorBytes))
        << p.request.name;
  }
  Result<ToolOutput> verify = RunTool({"sfdisk", "--verify", disk.string()});
  ASSERT_TRUE(verify.ok()) << verify.status().message();
  EXPECT_EQ(verify->err.find("not on the end"), std::string::npos) << verify->err;
  EXPECT_EQ(verify->err.find("mismatch"), std::string::npos) << verify->err;
}

TEST_F(BootDiskTest, GrowingRefusesAVolumeSmallerThanTheDisk) {
  fs::path disk = tmp_.path() / "disk.raw";
  Result<DiskLayout> layout = Write(disk);
  ASSERT_TRUE(layout.ok()) << layout.status().message();
  Status status = GrowBootDisk(disk, layout->bytes() - kSectorBytes);
  ASSERT_FALSE(status.ok());
  EXPECT_NE(status.message().find("smaller"), std::string::npos) << status.message();
  EXPECT_EQ(fs::file_size(disk), layout->bytes());
}

TEST_F(BootDiskTest, TheBootPartitionHoldsBothLoadersTheKernelAndTheInitrd) {
  fs::path disk = tmp_.path() / "disk.raw";
  Result<DiskLayout> layout = Write(disk);
  ASSERT_TRUE(layout.ok()) << layout.status().message();
  std::string image = disk.string() + "@@" + std::to_string(layout->partitions[0].offset_bytes());
  Result<ToolOutput> listing =
      RunTool({"env", "MTOOLS_SKIP_CHECK=1", "mdir", "-i", image, "-/", "-b", "-a", "::"});
  ASSERT_TRUE(listing.ok()) << listing.status().message();
  for (const char* file :
       {"::/EFI/BOOT/BOOTX64.EFI", "::/loader/loader.conf", "::/loader/entries/i2kit.conf",
        "::/syslinux.cfg", "::/bzImage", "::/initrd.img", "::/ldlinux.sys", "::/ldlinux.c32"}) {
    EXPECT_NE(listing->out.find(std::string(file) + "\n"), std::string::npos)
        << file << " missing from\n"
        << listing->out;
  }
}

}  // namespace
}  // namespace i2kit
