#include "image-builder/docker_archive.h"

#include <gtest/gtest.h>

#include "image-builder/image_builder_test_util.h"
#include "image-builder/oci_image_layout.h"

namespace i2kit {
namespace {

using test_util::File;
using test_util::Json;
using test_util::Symlink;
using test_util::TarEntry;
using test_util::TempDir;

// Builds `docker save` archives the way skopeo does: <diff_id>.tar, <id>/layer.tar as a
// symlink to it, <config digest>.json and manifest.json.
class DockerArchiveTest : public ::testing::Test {
 protected:
  void SetUp() override { std::filesystem::create_directory(blobs_); }

  // A one-layer image tagged `tag`; `layer_link` is what <id>/layer.tar points to.
  std::filesystem::path WriteArchive(const std::string& tag, const std::string& layer_link = "",
                                     bool tamper_layer = false) {
    LayerBlob layer = test_util::WriteLayer(tmp_.path() / "layer.tar", {File("bin/app", "app")});
    std::string layer_bytes = test_util::ReadFile(layer.path);
    std::string hex = layer.digest.substr(7);
    Json config = {{"architecture", "amd64"},
                   {"os", "linux"},
                   {"config", {{"Cmd", {"/bin/app"}}}},
                   {"rootfs", {{"type", "layers"}, {"diff_ids", {layer.digest}}}}};
    std::string config_text = config.dump();
    std::string config_name = test_util::DigestOf(config_text).substr(7) + ".json";
    std::string id(64, 'c');
    Json manifest = Json::array(
        {{{"Config", config_name}, {"RepoTags", {tag}}, {"Layers", {id + "/layer.tar"}}}});
    if (tamper_layer) layer_bytes[layer_bytes.size() / 2] ^= 1;
    std::vector<TarEntry> entries = {
        File(hex + ".tar", layer_bytes),
        File(config_name, config_text),
        test_util::Directory(id),
        Symlink(id + "/layer.tar", layer_link.empty() ? "../" + hex + ".tar" : layer_link),
        File("manifest.json", manifest.dump()),
    };
    std::filesystem::path archive = tmp_.path() / "image.tar";
    test_util::WriteLayer(archive, entries);
    return archive;
  }

  TempDir tmp_;
  std::filesystem::path blobs_ = tmp_.path() / "blobs";
};

TEST_F(DockerArchiveTest, ReadsTheExampleArchiveAsTheSameImageAsItsLayout) {
  const std::filesystem::path& examples = test_util::ExampleImages();
  Result<ResolvedImage> archived =
      ReadDockerArchive(examples / "busybox-httpd.tar", "busybox-httpd:latest", blobs_);
  ASSERT_TRUE(archived.ok()) << archived.status().message();
  Result<ResolvedImage> layout = ReadOciImageLayout(examples / "busybox-httpd", "latest");
  ASSERT_TRUE(layout.ok()) << layout.status().message();
  EXPECT_EQ(archived->config_digest, layout->config_digest);
  EXPECT_EQ(archived->config, layout->config);
  EXPECT_TRUE(archived->manifest_digest.empty());
  ASSERT_EQ(archived->layers.size(), 1u);
  EXPECT_EQ(archived->layers[0].compression, LayerCompression::kNone);
  EXPECT_EQ(archived->layers[0].path, blobs_ / archived->layers[0].digest.substr(7));
  EXPECT_TRUE(std::filesystem::is_regular_file(archived->layers[0].path));
}

TEST_F(DockerArchiveTest, FollowsASymlinkedLayerPathToAnEntryOfTheArchive) {
  Result<ResolvedImage> image = ReadDockerArchive(WriteArchive("app:1"), "app:1", blobs_);
  ASSERT_TRUE(image.ok()) << image.status().message();
  EXPECT_EQ(image->config.cmd, std::vector<std::string>{"/bin/app"});
  ASSERT_EQ(image->layers.size(), 1u);
  EXPECT_EQ(test_util::DigestOf(test_util::ReadFile(image->layers[0].path)),
            image->layers[0].digest);
}

TEST_F(DockerArchiveTest, MatchesTagsAsImageReferences) {
  Result<ResolvedImage> image =
      ReadDockerArchive(WriteArchive("docker.io/library/app:1"), "app:1", blobs_);
  EXPECT_TRUE(image.ok()) << image.status().message();
}

TEST_F(DockerArchiveTest, RefusesAnUnknownTagNamingTheKnownOnes) {
  Result<ResolvedImage> image = ReadDockerArchive(WriteArchive("app:1"), "app:2", blobs_);
  ASSERT_FALSE(image.ok());
  EXPECT_NE(image.status().message().find("tags: app:1"), std::string::npos)
      << image.status().message();
}

TEST_F(DockerArchiveTest, RefusesALayerSymlinkThatLeavesTheArchive) {
  test_util::WriteFile(tmp_.path() / "outside.tar", "not part of the archive");
  for (const std::string& link : {std::string("../../outside.tar"), std::string("/etc/passwd")}) {
    Result<ResolvedImage> image = ReadDockerArchive(WriteArchive("app:1", link), "app:1", blobs_);
    ASSERT_FALSE(image.ok()) << link;
    EXPECT_NE(image.status().message().find("outside the archive"), std::string::npos)
        << image.status().message();
  }
}

TEST_F(DockerArchiveTest, RefusesALayerThatDoesNotMatchTheConfigsDiffId) {
  Result<ResolvedImage> image = ReadDockerArchive(WriteArchive("app:1", "", true), "app:1", blobs_);
  ASSERT_FALSE(image.ok());
  EXPECT_NE(image.status().message().find("but the config's diff_id is"), std::string::npos)
      << image.status().message();
}

TEST_F(DockerArchiveTest, RefusesAFileThatIsNotADockerSaveArchive) {
  std::filesystem::path archive = tmp_.path() / "plain.tar";
  test_util::WriteLayer(archive, {File("hello", "world")});
  Result<ResolvedImage> image = ReadDockerArchive(archive, "", blobs_);
  ASSERT_FALSE(image.ok());
  EXPECT_NE(image.status().message().find("no manifest.json"), std::string::npos);
}

}  // namespace
}  // namespace i2kit
