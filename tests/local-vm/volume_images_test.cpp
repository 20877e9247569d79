// The local persistent volumes' disk images: made once, blank (the agent formats them), kept,
// and removed only on request.
#include "local-vm/volume_images.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>

#include "common/temp_dir.h"

namespace i2kit {
namespace {

TEST(VolumeImagesTest, MakesABlankSparseImageOnceAndKeepsItsData) {
  Result<TempDir> root = TempDir::Create("/tmp", "volumes-test");
  ASSERT_TRUE(root.ok()) << root.status().message();
  Result<std::string> path = EnsureVolumeImage(root->path(), "db", {"data", 16 << 20});
  ASSERT_TRUE(path.ok()) << path.status().message();
  EXPECT_EQ(*path, root->path() + "/_volumes/db/data.ext4");
  struct stat st {};
  ASSERT_EQ(::stat(path->c_str(), &st), 0);
  EXPECT_EQ(st.st_size, 16 << 20);
  EXPECT_LT(st.st_blocks * 512, st.st_size / 2);  // sparse
  EXPECT_EQ(st.st_blocks, 0);  // blank, as a new EBS volume: the agent writes the seed
  // A second start keeps the image as it is, whatever size is asked.
  { std::ofstream(*path, std::ios::in | std::ios::out | std::ios::binary).seekp(8 << 20) << "row"; }
  Result<std::string> again = EnsureVolumeImage(root->path(), "db", {"data", 32 << 20});
  ASSERT_TRUE(again.ok()) << again.status().message();
  ASSERT_EQ(::stat(path->c_str(), &st), 0);
  EXPECT_EQ(st.st_size, 16 << 20);
  std::ifstream kept(*path, std::ios::binary);
  kept.seekg(8 << 20);
  char row[4] = {};
  kept.read(row, 3);
  EXPECT_STREQ(row, "row");
}

TEST(VolumeImagesTest, RemovesEveryImageOfTheDeploymentAndNamesThem) {
  Result<TempDir> root = TempDir::Create("/tmp", "volumes-test");
  ASSERT_TRUE(root.ok()) << root.status().message();
  ASSERT_TRUE(EnsureVolumeImage(root->path(), "db", {"data", 4 << 20}).ok());
  ASSERT_TRUE(EnsureVolumeImage(root->path(), "db", {"logs", 4 << 20}).ok());
  ASSERT_TRUE(EnsureVolumeImage(root->path(), "cache", {"data", 4 << 20}).ok());
  Result<std::vector<std::string>> removed = RemoveVolumeImages(root->path(), "db");
  ASSERT_TRUE(removed.ok()) << removed.status().message();
  EXPECT_EQ(*removed, (std::vector<std::string>{root->path() + "/_volumes/db/data.ext4",
                                                root->path() + "/_volumes/db/logs.ext4"}));
  EXPECT_NE(::access((root->path() + "/_volumes/db").c_str(), F_OK), 0);
  EXPECT_EQ(::access((root->path() + "/_volumes/cache/data.ext4").c_str(), F_OK), 0);
  Result<std::vector<std::string>> none = RemoveVolumeImages(root->path(), "web");
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
}

}  // namespace
}  // namespace i2kit
