// A volume's seed: encoded and decoded whole, damaged ones refused, and read from a sparse
// file as its non-zero blocks only.
#include "common/volume_seed.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <string>

namespace i2kit {
namespace {

TEST(VolumeSeedTest, EncodesAndDecodesEveryExtent) {
  VolumeSeed seed{1 << 20, {{1024, "superblock"}, {8192, std::string(4096, 'x')}}};
  Result<VolumeSeed> decoded = DecodeVolumeSeed(EncodeVolumeSeed(seed));
  ASSERT_TRUE(decoded.ok()) << decoded.status().message();
  EXPECT_EQ(decoded->size_bytes, 1u << 20);
  ASSERT_EQ(decoded->extents.size(), 2u);
  EXPECT_EQ(decoded->extents[0].offset, 1024u);
  EXPECT_EQ(decoded->extents[0].bytes, "superblock");
  EXPECT_EQ(decoded->extents[1].bytes, std::string(4096, 'x'));
}

TEST(VolumeSeedTest, RefusesWhatIsNotAWholeSeed) {
  std::string good = EncodeVolumeSeed({4096, {{0, "abc"}}});
  EXPECT_FALSE(DecodeVolumeSeed("ext4").ok());
  EXPECT_FALSE(DecodeVolumeSeed(good.substr(0, good.size() - 1)).ok());
  EXPECT_FALSE(DecodeVolumeSeed(good + "x").ok());
  // Past the size, or overlapping: a seed that would write where it must not.
  EXPECT_FALSE(DecodeVolumeSeed(EncodeVolumeSeed({4096, {{4095, "ab"}}})).ok());
  EXPECT_FALSE(DecodeVolumeSeed(EncodeVolumeSeed({4096, {{0, "abc"}, {2, "x"}}})).ok());
}

TEST(VolumeSeedTest, ReadsOnlyTheNonZeroBlocksOfASparseFileJoiningNeighbours) {
  char path[] = "/tmp/i2kit-seed-XXXXXX";
  int fd = ::mkstemp(path);
  ASSERT_GE(fd, 0);
  ::unlink(path);
  ASSERT_EQ(::ftruncate(fd, 64 << 20), 0);
  std::string two_blocks(8192, 'a');
  ASSERT_EQ(::pwrite(fd, two_blocks.data(), two_blocks.size(), 4096), 8192);
  ASSERT_EQ(::pwrite(fd, std::string(4096, '\0').data(), 4096, 1 << 20), 4096);  // data, zero
  ASSERT_EQ(::pwrite(fd, "z", 1, (32 << 20) + 100), 1);
  Result<VolumeSeed> seed = ReadVolumeSeed(fd, 64 << 20);
  ::close(fd);
  ASSERT_TRUE(seed.ok()) << seed.status().message();
  EXPECT_EQ(seed->size_bytes, 64u << 20);
  ASSERT_EQ(seed->extents.size(), 2u);
  EXPECT_EQ(seed->extents[0].offset, 4096u);
  EXPECT_EQ(seed->extents[0].bytes, two_blocks);
  EXPECT_EQ(seed->extents[1].offset, 32u << 20);
  EXPECT_EQ(seed->extents[1].bytes.size(), 4096u);
  EXPECT_EQ(seed->extents[1].bytes[100], 'z');
}

}  // namespace
}  // namespace i2kit
