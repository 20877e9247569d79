// Layers built to escape the root. Each test puts a sentinel directory beside the root and
// checks that it is untouched, and that the attempt is reported: as an error naming the layer
// digest and the entry, or as a skipped entry.
#include <gtest/gtest.h>

#include "image-builder/image_builder_test_util.h"
#include "image-builder/layer_flattener.h"

namespace i2kit {
namespace {

using test_util::DescribeTree;
using test_util::File;
using test_util::Hardlink;
using test_util::Symlink;
using test_util::TarEntry;
using test_util::TempDir;

class HostileLayerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::filesystem::create_directory(root_);
    std::filesystem::create_directory(sentinel_);
    test_util::WriteFile(sentinel_ / "passwd", "root:x:0:0::/root:/bin/sh\n");
    before_ = Snapshot();
  }

  // Everything beside the root: the sentinel, and no new neighbours.
  std::string Snapshot() const {
    std::string listing;
    for (const auto& entry : std::filesystem::directory_iterator(tmp_.path())) {
      listing += entry.path().filename().string() + "\n";
    }
    return listing + DescribeTree(sentinel_);
  }

  Result<FlattenSummary> Flatten(const std::vector<TarEntry>& entries) {
    layer_ = test_util::WriteLayer(tmp_.path() / "layer.tar", entries);
    before_ = Snapshot();  // now with layer.tar
    return FlattenLayers({layer_}, root_);
  }

  // The flattening failed with an error naming the layer and `entry`, and left the
  // sentinel as it was.
  void ExpectRefused(const Result<FlattenSummary>& result, const std::string& entry) {
    ASSERT_FALSE(result.ok()) << "entry " << entry << " was accepted";
    EXPECT_NE(
        result.status().message().find("layer " + layer_.digest + ": entry \"" + entry + "\""),
        std::string::npos)
        << result.status().message();
    EXPECT_EQ(Snapshot(), before_);
  }

  // The flattening succeeded, skipped `entry` with a note, and left the sentinel as it was.
  void ExpectSkipped(const Result<FlattenSummary>& result, const std::string& entry) {
    ASSERT_TRUE(result.ok()) << result.status().message();
    bool reported = false;
    for (const FlattenNote& note : result->skipped) {
      reported = reported || (note.entry == entry && note.layer == layer_.digest);
    }
    EXPECT_TRUE(reported) << entry << " was not reported as skipped";
    EXPECT_EQ(Snapshot(), before_);
  }

  TempDir tmp_;
  std::filesystem::path root_ = tmp_.path() / "root";
  std::filesystem::path sentinel_ = tmp_.path() / "sentinel";
  std::string before_;
  LayerBlob layer_;
};

TEST_F(HostileLayerTest, RefusesADotDotEntry) {
  ExpectRefused(Flatten({File("../sentinel/escape", "x")}), "../sentinel/escape");
  ExpectRefused(Flatten({File("a/../../escape", "x")}), "a/../../escape");
}

TEST_F(HostileLayerTest, RefusesAnAbsolutePath) {
  std::string absolute = (sentinel_ / "abs").string();
  ExpectRefused(Flatten({File(absolute, "x")}), absolute);
}

TEST_F(HostileLayerTest, NeverWritesThroughASymlinkToTheHostRoot) {
  // evil -> / then evil/<path of the sentinel>/x: followed, it would land in the sentinel.
  std::string through = "evil" + sentinel_.string() + "/x";
  ExpectRefused(Flatten({Symlink("evil", "/"), File(through, "x")}), through);
}

TEST_F(HostileLayerTest, NeverWritesThroughASymlinkToDotDot) {
  ExpectRefused(Flatten({Symlink("up", ".."), File("up/sentinel/x", "x")}), "up/sentinel/x");
}

TEST_F(HostileLayerTest, NeverCreatesDirectoriesThroughASymlink) {
  ExpectRefused(Flatten({Symlink("evil", sentinel_.string()), test_util::Directory("evil/newdir")}),
                "evil/newdir/");  // libarchive writes directory names with a trailing slash
}

TEST_F(HostileLayerTest, RefusesAHardLinkToAnAbsolutePath) {
  ExpectRefused(Flatten({Hardlink("passwd", "/etc/passwd")}), "passwd");
}

TEST_F(HostileLayerTest, RefusesAHardLinkThatClimbsOutOfTheRoot) {
  ExpectRefused(Flatten({Hardlink("passwd", "../sentinel/passwd")}), "passwd");
}

TEST_F(HostileLayerTest, RefusesAHardLinkThroughASymlinkedDirectory) {
  ExpectRefused(Flatten({Symlink("evil", sentinel_.string()), Hardlink("passwd", "evil/passwd")}),
                "passwd");
}

TEST_F(HostileLayerTest, SkipsDeviceNodesAndFifos) {
  TarEntry device = File("disk", "");
  device.type = TarEntry::Type::kCharDevice;
  TarEntry fifo = File("pipe", "");
  fifo.type = TarEntry::Type::kFifo;
  Result<FlattenSummary> result = Flatten({device, fifo, Hardlink("disk2", "disk")});
  ExpectSkipped(result, "disk");
  ExpectSkipped(result, "pipe");
  ExpectSkipped(result, "disk2");
  EXPECT_FALSE(std::filesystem::exists(std::filesystem::symlink_status(root_ / "disk")));
  EXPECT_FALSE(std::filesystem::exists(std::filesystem::symlink_status(root_ / "pipe")));
}

TEST_F(HostileLayerTest, SkipsADevNullSymlinkAndKeepsDevAnEmptyDirectory) {
  // CVE-2025-31133: runc 1.1.5 bind-mounts /dev/null over masked paths, following a symlink.
  Result<FlattenSummary> result =
      Flatten({test_util::Directory("dev"), Symlink("dev/null", (sentinel_ / "passwd").string()),
               Symlink("dev/console", "/proc/sysrq-trigger")});
  ExpectSkipped(result, "dev/null");
  ExpectSkipped(result, "dev/console");
  EXPECT_TRUE(std::filesystem::is_directory(std::filesystem::symlink_status(root_ / "dev")));
  EXPECT_TRUE(std::filesystem::is_empty(root_ / "dev"));
}

TEST_F(HostileLayerTest, SkipsADevSymlinkThatWouldRedirectTheRuntimesMounts) {
  ExpectSkipped(Flatten({Symlink("dev", sentinel_.string()), Symlink("proc", "/tmp")}), "dev");
  EXPECT_TRUE(std::filesystem::is_directory(std::filesystem::symlink_status(root_ / "dev")));
  EXPECT_TRUE(std::filesystem::is_directory(std::filesystem::symlink_status(root_ / "proc")));
}

}  // namespace
}  // namespace i2kit
