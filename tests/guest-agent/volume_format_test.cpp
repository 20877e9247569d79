// Formatting a persistent volume's disk from its seed, on image files as the local VM's and an
// EBS volume are block devices: a blank disk gets the filesystem mkfs.ext4 made on the host
// (e2fsck finds it clean), an ext4 disk is left as it is, anything else is refused untouched.
#include "guest-agent/volume_format.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <string>

#include "common/unique_fd.h"
#include "common/volume_seed.h"
#include "test_temp_dir.h"

namespace i2kit {
namespace {

constexpr uint64_t kSize = 64 << 20;

std::string Blank(const guest_test::TempDir& dir, const std::string& name, uint64_t size) {
  std::string path = (dir.path() / name).string();
  UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
  EXPECT_TRUE(fd.valid());
  EXPECT_EQ(::ftruncate(fd.get(), static_cast<off_t>(size)), 0);
  return path;
}

// What the build host does (image-builder/volume_seed_build.h), with the host's mkfs.ext4.
VolumeSeed RealSeed(const guest_test::TempDir& dir) {
  std::string made = Blank(dir, "made.ext4", kSize);
  std::string command =
      "PATH=$PATH:/usr/sbin mkfs.ext4 -q -F -t ext4 -E "
      "root_owner=0:0,lazy_itable_init=1,lazy_journal_init=1 " +
      made;
  EXPECT_EQ(std::system(command.c_str()), 0);
  UniqueFd fd(::open(made.c_str(), O_RDONLY | O_CLOEXEC));
  Result<VolumeSeed> seed = ReadVolumeSeed(fd.get(), kSize);
  EXPECT_TRUE(seed.ok()) << seed.status().message();
  return seed.ok() ? *seed : VolumeSeed{};
}

void PutAt(const std::string& path, uint64_t offset, const std::string& bytes) {
  std::fstream file(path, std::ios::in | std::ios::out | std::ios::binary);
  file.seekp(static_cast<std::streamoff>(offset));
  file << bytes;
}

TEST(VolumeFormatTest, ABlankDiskGetsTheSeedAndE2fsckFindsTheFilesystemClean) {
  guest_test::TempDir dir;
  VolumeSeed seed = RealSeed(dir);
  ASSERT_FALSE(seed.extents.empty());
  std::string disk = Blank(dir, "disk", kSize);
  Result<FormatOutcome> outcome = FormatIfBlank(disk, seed);
  ASSERT_TRUE(outcome.ok()) << outcome.status().message();
  EXPECT_TRUE(outcome->formatted);
  EXPECT_EQ(outcome->warning, "");
  std::string fsck = "PATH=$PATH:/usr/sbin e2fsck -fn " + disk + " >/dev/null 2>&1";
  EXPECT_EQ(std::system(fsck.c_str()), 0);
  // The next boot finds the filesystem and leaves it, and what was written on it, as it is.
  PutAt(disk, 40 << 20, "row");
  Result<FormatOutcome> again = FormatIfBlank(disk, seed);
  ASSERT_TRUE(again.ok()) << again.status().message();
  EXPECT_FALSE(again->formatted);
  std::ifstream kept(disk, std::ios::binary);
  kept.seekg(40 << 20);
  char row[4] = {};
  kept.read(row, 3);
  EXPECT_STREQ(row, "row");
}

TEST(VolumeFormatTest, ADiskHoldingSomethingElseIsRefusedAndLeftUntouched) {
  guest_test::TempDir dir;
  VolumeSeed seed = RealSeed(dir);
  std::string disk = Blank(dir, "disk", kSize);
  PutAt(disk, 3 << 20, "XFSB, or a database's own file");
  Result<FormatOutcome> outcome = FormatIfBlank(disk, seed);
  ASSERT_FALSE(outcome.ok());
  EXPECT_EQ(outcome.status().message(), disk + " holds data (at byte " + std::to_string(3 << 20) +
                                            ") but no ext4 filesystem: refusing to format it");
  char magic[2] = {};
  std::ifstream(disk, std::ios::binary).seekg(1080).read(magic, 2);
  EXPECT_EQ(magic[0], 0);  // nothing written
}

TEST(VolumeFormatTest, AFormatCutShortIsFinishedNotRefused) {
  guest_test::TempDir dir;
  VolumeSeed seed = RealSeed(dir);
  std::string disk = Blank(dir, "disk", kSize);
  // A crash after the first extents, before the superblock: the seed's own bytes are there.
  const SeedExtent& last = seed.extents.back();
  PutAt(disk, last.offset, last.bytes);
  Result<FormatOutcome> outcome = FormatIfBlank(disk, seed);
  ASSERT_TRUE(outcome.ok()) << outcome.status().message();
  EXPECT_TRUE(outcome->formatted);
  std::string fsck = "PATH=$PATH:/usr/sbin e2fsck -fn " + disk + " >/dev/null 2>&1";
  EXPECT_EQ(std::system(fsck.c_str()), 0);
}

TEST(VolumeFormatTest, ASizeChangedSinceTheFilesystemWasMadeIsSaidNotResized) {
  guest_test::TempDir dir;
  VolumeSeed seed = RealSeed(dir);
  std::string disk = Blank(dir, "disk", kSize);
  ASSERT_TRUE(FormatIfBlank(disk, seed).ok());
  VolumeSeed bigger = seed;
  bigger.size_bytes = 2 * kSize;  // the manifest asks for 128 MiB now
  Result<FormatOutcome> outcome = FormatIfBlank(disk, bigger);
  ASSERT_TRUE(outcome.ok()) << outcome.status().message();
  EXPECT_FALSE(outcome->formatted);
  EXPECT_EQ(outcome->warning,
            "its filesystem is 64 MiB but the Pod asks for 128 MiB: it is kept as it is, not "
            "resized");
  // A blank disk smaller than the seed's size is not formatted at all.
  std::string small = Blank(dir, "small", kSize / 2);
  Result<FormatOutcome> refused = FormatIfBlank(small, seed);
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.status().message().find("smaller than the volume's"), std::string::npos);
}

}  // namespace
}  // namespace i2kit
