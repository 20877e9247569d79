#include "image-builder/layer_flattener.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/xattr.h>

#include "image-builder/image_builder_test_util.h"

namespace i2kit {
namespace {

using test_util::Directory;
using test_util::File;
using test_util::Hardlink;
using test_util::ReadFile;
using test_util::Symlink;
using test_util::TarEntry;
using test_util::TempDir;

class LayerFlattenerTest : public ::testing::Test {
 protected:
  void SetUp() override { std::filesystem::create_directory(root_); }

  // Writes the next layer of the image being built.
  LayerBlob Layer(const std::vector<TarEntry>& entries,
                  LayerCompression compression = LayerCompression::kNone) {
    return test_util::WriteLayer(tmp_.path() / ("layer" + std::to_string(next_++) + ".tar"),
                                 entries, compression);
  }

  FlattenSummary Flatten(const std::vector<LayerBlob>& layers) {
    Result<FlattenSummary> summary = FlattenLayers(layers, root_);
    EXPECT_TRUE(summary.ok()) << summary.status().message();
    return summary.ok() ? *summary : FlattenSummary{};
  }

  bool Exists(const std::string& path) const {
    return std::filesystem::exists(std::filesystem::symlink_status(root_ / path));
  }

  struct stat Stat(const std::string& path) const {
    struct stat st {};
    EXPECT_EQ(::lstat((root_ / path).c_str(), &st), 0) << path;
    return st;
  }

  TempDir tmp_;
  std::filesystem::path root_ = tmp_.path() / "root";
  int next_ = 0;
};

TEST_F(LayerFlattenerTest, WhiteoutRemovesAFileAndADirectoryOfLowerLayers) {
  LayerBlob lower = Layer({Directory("etc"), File("etc/old", "x"), File("etc/kept", "y"),
                           Directory("var/cache"), File("var/cache/a", "z")});
  LayerBlob upper = Layer({File("etc/.wh.old", ""), File("var/.wh.cache", "")});
  FlattenSummary summary = Flatten({lower, upper});
  EXPECT_FALSE(Exists("etc/old"));
  EXPECT_FALSE(Exists("etc/.wh.old"));
  EXPECT_FALSE(Exists("var/cache"));
  EXPECT_TRUE(Exists("etc/kept"));
  EXPECT_EQ(summary.whiteouts, 2u);
}

TEST_F(LayerFlattenerTest, OpaqueDirectoryHidesLowerChildrenButKeepsItsOwn) {
  LayerBlob lower = Layer({Directory("app"), File("app/old", "1"), Directory("app/sub"),
                           File("app/sub/old", "2"), File("other", "3")});
  // The marker comes after the layer's own entries: order within a layer must not matter.
  LayerBlob upper = Layer({Directory("app"), Directory("app/sub"), File("app/sub/new", "4"),
                           File("app/new", "5"), File("app/.wh..wh..opq", "")});
  Flatten({lower, upper});
  EXPECT_FALSE(Exists("app/old"));
  EXPECT_FALSE(Exists("app/sub/old"));
  EXPECT_FALSE(Exists("app/.wh..wh..opq"));
  EXPECT_EQ(ReadFile(root_ / "app/new"), "5");
  EXPECT_EQ(ReadFile(root_ / "app/sub/new"), "4");
  EXPECT_TRUE(Exists("other"));
}

TEST_F(LayerFlattenerTest, WhiteoutDoesNotRemoveWhatItsOwnLayerWrote) {
  LayerBlob lower = Layer({File("a", "lower")});
  LayerBlob upper = Layer({File("a", "upper"), File(".wh.a", "")});
  Flatten({lower, upper});
  EXPECT_EQ(ReadFile(root_ / "a"), "upper");
}

TEST_F(LayerFlattenerTest, HardLinkSharesTheInodeOfItsTarget) {
  FlattenSummary summary =
      Flatten({Layer({File("bin/busybox", "bb", 0755), Hardlink("bin/sh", "bin/busybox"),
                      Hardlink("./bin/ash", "./bin/busybox")})});
  EXPECT_EQ(Stat("bin/sh").st_ino, Stat("bin/busybox").st_ino);
  EXPECT_EQ(Stat("bin/ash").st_ino, Stat("bin/busybox").st_ino);
  EXPECT_EQ(Stat("bin/busybox").st_nlink, 3u);
  EXPECT_EQ(summary.hardlinks, 2u);
}

TEST_F(LayerFlattenerTest, ReplacingAHardLinkedFileLeavesTheOtherLinkAlone) {
  LayerBlob lower = Layer({File("a", "shared"), Hardlink("b", "a")});
  LayerBlob upper = Layer({File("b", "new")});
  Flatten({lower, upper});
  EXPECT_EQ(ReadFile(root_ / "a"), "shared");
  EXPECT_EQ(ReadFile(root_ / "b"), "new");
}

TEST_F(LayerFlattenerTest, SymlinkIsKeptAsASymlinkWithItsTargetUnchanged) {
  FlattenSummary summary =
      Flatten({Layer({Symlink("lib64", "/lib"), Symlink("bin/sh", "busybox")})});
  EXPECT_TRUE(S_ISLNK(Stat("lib64").st_mode));
  EXPECT_EQ(std::filesystem::read_symlink(root_ / "lib64"), "/lib");
  EXPECT_EQ(std::filesystem::read_symlink(root_ / "bin/sh"), "busybox");
  EXPECT_EQ(summary.symlinks, 2u);
}

TEST_F(LayerFlattenerTest, KeepsModesWithSetuidAndSticky) {
  Flatten({Layer({File("bin/su", "su", 04755), File("bin/wall", "w", 02755),
                  Directory("tmp", 01777), Directory("locked", 0500), File("locked/f", "f")})});
  EXPECT_EQ(Stat("bin/su").st_mode & 07777, 04755u);
  EXPECT_EQ(Stat("bin/wall").st_mode & 07777, 02755u);
  EXPECT_EQ(Stat("tmp").st_mode & 07777, 01777u);
  EXPECT_EQ(Stat("locked").st_mode & 07777, 0500u);
  EXPECT_TRUE(Exists("locked/f"));
}

TEST_F(LayerFlattenerTest, AppliesNumericOwnersWhenRunningAsRoot) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root to chown";
  TarEntry file = File("www/index.html", "hi");
  file.uid = 65534;
  file.gid = 65533;
  TarEntry setuid = File("bin/ping", "p", 04755);
  setuid.uid = 0;
  setuid.gid = 1000;
  FlattenSummary summary = Flatten({Layer({file, setuid})});
  EXPECT_EQ(Stat("www/index.html").st_uid, 65534u);
  EXPECT_EQ(Stat("www/index.html").st_gid, 65533u);
  EXPECT_EQ(Stat("bin/ping").st_gid, 1000u);
  EXPECT_EQ(Stat("bin/ping").st_mode & 07777, 04755u);  // not cleared by the chown
  EXPECT_TRUE(summary.altered.empty());
}

TEST_F(LayerFlattenerTest, KeepsUserAndCapabilityXattrsAndDropsTrusted) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root to set security.capability";
  // VFS_CAP_REVISION_2 with CAP_NET_RAW (bit 13) permitted and effective.
  const std::string cap_net_raw(
      "\x01\x00\x00\x02\x00\x20\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"
      "\x00\x00\x00\x00",
      20);
  TarEntry ping = File("bin/ping", "p", 0755);
  ping.xattrs = {{"security.capability", cap_net_raw},
                 {"user.origin", "test"},
                 {"trusted.overlay.opaque", "y"}};
  FlattenSummary summary = Flatten({Layer({ping})});
  char value[64];
  std::string path = (root_ / "bin/ping").string();
  ASSERT_EQ(::getxattr(path.c_str(), "security.capability", value, sizeof value), 20);
  EXPECT_EQ(std::string(value, 20), cap_net_raw);
  ASSERT_EQ(::getxattr(path.c_str(), "user.origin", value, sizeof value), 4);
  EXPECT_EQ(::getxattr(path.c_str(), "trusted.overlay.opaque", value, sizeof value), -1);
  ASSERT_EQ(summary.altered.size(), 1u);
  EXPECT_NE(summary.altered[0].reason.find("trusted.overlay.opaque dropped"), std::string::npos);
}

TEST_F(LayerFlattenerTest, SetsEveryMtimeToTheFixedEpoch) {
  Result<FlattenSummary> summary =
      FlattenLayers({Layer({Directory("d"), File("d/f", "x"), Symlink("l", "d/f")})}, root_,
                    FlattenOptions{.mtime = 1704067200});
  ASSERT_TRUE(summary.ok()) << summary.status().message();
  for (const char* path : {"", "d", "d/f", "l", "dev"}) {
    EXPECT_EQ(Stat(path).st_mtime, 1704067200) << path;
  }
}

TEST_F(LayerFlattenerTest, AFileReplacesALowerDirectoryAndADirectoryALowerSymlink) {
  LayerBlob lower = Layer({Directory("a"), File("a/inside", "x"), Symlink("b", "/etc")});
  LayerBlob upper = Layer({File("a", "now a file"), Directory("b"), File("b/f", "y")});
  Flatten({lower, upper});
  EXPECT_EQ(ReadFile(root_ / "a"), "now a file");
  EXPECT_TRUE(S_ISDIR(Stat("b").st_mode));
  EXPECT_EQ(ReadFile(root_ / "b/f"), "y");
}

TEST_F(LayerFlattenerTest, ReadsGzipAndZstdLayers) {
  LayerBlob gzip = Layer({File("from-gzip", "g")}, LayerCompression::kGzip);
  LayerBlob zstd = Layer({File("from-zstd", "z")}, LayerCompression::kZstd);
  FlattenSummary summary = Flatten({gzip, zstd});
  EXPECT_EQ(ReadFile(root_ / "from-gzip"), "g");
  EXPECT_EQ(ReadFile(root_ / "from-zstd"), "z");
  EXPECT_EQ(summary.files, 2u);
  EXPECT_EQ(summary.bytes, 2u);
}

TEST_F(LayerFlattenerTest, RefusesALayerWhoseBytesDoNotMatchItsDigest) {
  LayerBlob layer = Layer({File("a", "x")});
  layer.digest = test_util::DigestOf("something else");
  Result<FlattenSummary> summary = FlattenLayers({layer}, root_);
  ASSERT_FALSE(summary.ok());
  EXPECT_NE(summary.status().message().find("does not match its descriptor"), std::string::npos)
      << summary.status().message();
}

TEST_F(LayerFlattenerTest, CreatesTheMountPointsAsEmptyDirectories) {
  Flatten({Layer({File("a", "x")})});
  for (const char* dir : {"dev", "proc", "sys"}) {
    EXPECT_TRUE(S_ISDIR(Stat(dir).st_mode)) << dir;
    EXPECT_TRUE(std::filesystem::is_empty(root_ / dir)) << dir;
  }
}

TEST_F(LayerFlattenerTest, EveryRootHasThePodEtcFilesAsEmptyRegularFiles) {
  Flatten({Layer({File("app", "x")})});  // a scratch image: no etc at all
  for (const char* file : {"etc/hostname", "etc/hosts", "etc/resolv.conf"}) {
    struct stat st = Stat(file);
    EXPECT_TRUE(S_ISREG(st.st_mode)) << file;
    EXPECT_EQ(st.st_mode & 07777, 0644u) << file;
    EXPECT_EQ(st.st_size, 0) << file;
  }
}

TEST_F(LayerFlattenerTest, PodEtcFilesReplaceTheImagesSymlinksDirectoriesAndFiles) {
  Flatten({Layer({Directory("etc"), Symlink("etc/resolv.conf", "/run/systemd/resolve/stub"),
                  Directory("etc/hosts"), File("etc/hosts/x", "y"), File("etc/hostname", "img"),
                  File("etc/passwd", "root:x:0:0::/:/bin/sh\n")})});
  for (const char* file : {"etc/hostname", "etc/hosts", "etc/resolv.conf"}) {
    struct stat st = Stat(file);
    EXPECT_TRUE(S_ISREG(st.st_mode)) << file;
    EXPECT_EQ(st.st_size, 0) << file;
  }
  EXPECT_EQ(ReadFile(root_ / "etc/passwd"), "root:x:0:0::/:/bin/sh\n");
}

TEST_F(LayerFlattenerTest, AnEtcSymlinkBecomesADirectoryAndIsReported) {
  FlattenSummary summary = Flatten({Layer({Directory("usr/etc"), Symlink("etc", "usr/etc")})});
  EXPECT_TRUE(S_ISDIR(Stat("etc").st_mode));
  EXPECT_TRUE(S_ISREG(Stat("etc/hosts").st_mode));
  EXPECT_FALSE(Exists("usr/etc/hosts"));
  ASSERT_EQ(summary.altered.size(), 1u);
  EXPECT_EQ(summary.altered[0].entry, "etc");
}

}  // namespace
}  // namespace i2kit
