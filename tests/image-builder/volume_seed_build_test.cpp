// A volume's seed made with the host's mkfs.ext4: an ext4 superblock among its extents, the
// same bytes for the same deployment, volume and size (the Pod's image digest must not change
// between builds), another filesystem UUID for another volume.
#include "image-builder/volume_seed_build.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <string>

namespace i2kit {
namespace {

// The byte at `offset` of the filesystem the seed writes (0 where it has no extent).
unsigned char ByteAt(const VolumeSeed& seed, uint64_t offset) {
  for (const SeedExtent& e : seed.extents) {
    if (offset >= e.offset && offset < e.offset + e.bytes.size()) {
      return static_cast<unsigned char>(e.bytes[offset - e.offset]);
    }
  }
  return 0;
}

TEST(VolumeSeedBuildTest, IsAnExt4FilesystemOfTheSizeAndTheSameOnEveryBuild) {
  std::string scratch = ::testing::TempDir();
  Result<VolumeSeed> first = MakeVolumeSeed("db", "data", 64 << 20, scratch);
  ASSERT_TRUE(first.ok()) << first.status().message();
  EXPECT_EQ(first->size_bytes, 64u << 20);
  EXPECT_EQ(ByteAt(*first, 1080), 0x53);  // the ext4 magic, 0xEF53 little-endian
  EXPECT_EQ(ByteAt(*first, 1081), 0xEF);
  uint64_t bytes = 0;
  for (const SeedExtent& e : first->extents) bytes += e.bytes.size();
  EXPECT_LT(bytes, 4u << 20);  // metadata only: inode tables and journal are left lazy
  Result<VolumeSeed> again = MakeVolumeSeed("db", "data", 64 << 20, scratch);
  ASSERT_TRUE(again.ok()) << again.status().message();
  EXPECT_EQ(EncodeVolumeSeed(*again), EncodeVolumeSeed(*first));
  Result<VolumeSeed> other = MakeVolumeSeed("db", "logs", 64 << 20, scratch);
  ASSERT_TRUE(other.ok()) << other.status().message();
  EXPECT_NE(EncodeVolumeSeed(*other), EncodeVolumeSeed(*first));
  // Its scratch file is gone.
  EXPECT_FALSE(std::filesystem::exists(scratch + "/data.seed.ext4"));
}

}  // namespace
}  // namespace i2kit
