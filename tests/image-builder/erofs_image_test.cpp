#include "image-builder/erofs_image.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include "image-builder/image_builder_test_util.h"
#include "image-builder/layer_flattener.h"
#include "image-builder/oci_image_layout.h"
#include "image-builder/run_tool.h"

namespace i2kit {
namespace {

using test_util::TempDir;

// Flattens the busybox-httpd example into `root` and packs it into `image`.
void BuildExample(const std::filesystem::path& root, const std::filesystem::path& image) {
  Result<ResolvedImage> resolved =
      ReadOciImageLayout(test_util::ExampleImages() / "busybox-httpd", "latest");
  ASSERT_TRUE(resolved.ok()) << resolved.status().message();
  std::filesystem::create_directory(root);
  Result<FlattenSummary> summary = FlattenLayers(resolved->layers, root);
  ASSERT_TRUE(summary.ok()) << summary.status().message();
  Status packed = PackErofs(root, image);
  ASSERT_TRUE(packed.ok()) << packed.message();
}

TEST(ErofsImageTest, FlatteningAndPackingTwiceGivesByteIdenticalImages) {
  TempDir tmp;
  BuildExample(tmp.path() / "root1", tmp.path() / "one.erofs");
  BuildExample(tmp.path() / "root2", tmp.path() / "two.erofs");
  std::string one = test_util::ReadFile(tmp.path() / "one.erofs");
  EXPECT_GT(one.size(), 0u);
  EXPECT_EQ(test_util::DigestOf(one),
            test_util::DigestOf(test_util::ReadFile(tmp.path() / "two.erofs")));
}

TEST(ErofsImageTest, TheImageHoldsTheFlattenedTree) {
  TempDir tmp;
  BuildExample(tmp.path() / "root", tmp.path() / "image.erofs");
  ASSERT_FALSE(HasFatalFailure());
  // fsck.erofs checks every inode and, with --extract, writes the tree back out (erofs-utils
  // 1.5 extracts hard links as separate files and no xattrs, which this image has neither of).
  // Not being root, it can restore no owner, and its umask would strip the modes.
  bool as_root = ::geteuid() == 0;
  mode_t umask = ::umask(0);
  Result<ToolOutput> fsck = RunTool({"fsck.erofs", "--extract=" + (tmp.path() / "x").string(),
                                     (tmp.path() / "image.erofs").string()});
  ::umask(umask);
  ASSERT_TRUE(fsck.ok()) << fsck.status().message();
  std::string flattened = test_util::DescribeTree(tmp.path() / "root", as_root);
  EXPECT_EQ(test_util::DescribeTree(tmp.path() / "x", as_root), flattened);
  EXPECT_NE(flattened.find("www/index.html 644"), std::string::npos) << flattened;
  EXPECT_NE(flattened.find("bin/sh 777" + std::string(as_root ? " 0:0" : "") + " -> busybox"),
            std::string::npos)
      << flattened;
}

TEST(ErofsImageTest, KeepsTheFixedTimestampAndUuid) {
  TempDir tmp;
  std::filesystem::create_directory(tmp.path() / "root");
  test_util::WriteFile(tmp.path() / "root/file", "x");
  ErofsOptions options;
  options.timestamp = 1704067200;
  options.uuid = "12345678-9abc-def0-1234-56789abcdef0";
  Status packed = PackErofs(tmp.path() / "root", tmp.path() / "image.erofs", options);
  ASSERT_TRUE(packed.ok()) << packed.message();
  Result<ToolOutput> dump = RunTool({"dump.erofs", "-s", (tmp.path() / "image.erofs").string()});
  ASSERT_TRUE(dump.ok()) << dump.status().message();
  EXPECT_NE(dump->out.find(options.uuid), std::string::npos) << dump->out;
  EXPECT_NE(dump->out.find("Mon Jan  1 00:00:00 2024"), std::string::npos) << dump->out;
}

TEST(ErofsImageTest, AFailedPackCarriesMkfsErofsStderrAndLeavesNoImage) {
  TempDir tmp;
  Status packed = PackErofs(tmp.path() / "missing", tmp.path() / "image.erofs");
  ASSERT_FALSE(packed.ok());
  EXPECT_NE(packed.message().find("mkfs.erofs exited with status"), std::string::npos)
      << packed.message();
  EXPECT_FALSE(std::filesystem::exists(tmp.path() / "image.erofs"));
  EXPECT_FALSE(std::filesystem::exists(tmp.path() / "image.erofs.partial"));
}

}  // namespace
}  // namespace i2kit
