#include "image-builder/oci_image_layout.h"

#include <gtest/gtest.h>

#include "image-builder/image_builder_test_util.h"
#include "image-builder/sha256.h"

namespace i2kit {
namespace {

using test_util::ExampleImages;
using test_util::File;
using test_util::Json;
using test_util::OciLayoutWriter;
using test_util::Tagged;
using test_util::TempDir;

// A layout with one single-layer image per tag, each running /bin/<tag>.
class OciImageLayoutTest : public ::testing::Test {
 protected:
  Json AddImage(const std::string& tag, const std::string& architecture = "amd64") {
    LayerBlob layer = test_util::WriteLayer(tmp_.path() / ("layer-" + tag + ".tar"),
                                            {File("bin/" + tag, "#!/bin/sh\n", 0755)});
    Json config = layout_.AddConfig("/bin/" + tag, {layer.digest}, architecture);
    return layout_.AddManifest(config, {layout_.AddLayer(layer)});
  }

  TempDir tmp_;
  OciLayoutWriter layout_{tmp_.path() / "layout"};
};

TEST_F(OciImageLayoutTest, ReadsTheExampleLayoutByTagWithItsImageConfig) {
  Result<ResolvedImage> image = ReadOciImageLayout(ExampleImages() / "busybox-httpd", "latest");
  ASSERT_TRUE(image.ok()) << image.status().message();
  EXPECT_EQ(image->config.entrypoint,
            (std::vector<std::string>{
                "/bin/sh", "-c",
                "trap \"exit 0\" TERM; /bin/busybox httpd -f -v -p 8080 -h /www & wait"}));
  EXPECT_EQ(image->config.user, "65534:65534");
  EXPECT_EQ(image->config.env, std::vector<std::string>{"PATH=/bin"});
  EXPECT_TRUE(IsSha256Digest(image->manifest_digest));
  EXPECT_TRUE(IsSha256Digest(image->config_digest));
  ASSERT_EQ(image->layers.size(), 1u);
  EXPECT_EQ(image->layers[0].compression, LayerCompression::kGzip);
  EXPECT_EQ(image->layers[0].path,
            ExampleImages() / "busybox-httpd/blobs/sha256" / image->layers[0].digest.substr(7));
}

TEST_F(OciImageLayoutTest, ReadsTheOnlyImageWhenNoTagIsGiven) {
  layout_.WriteIndex({AddImage("web")});
  Result<ResolvedImage> image = ReadOciImageLayout(layout_.dir(), "");
  ASSERT_TRUE(image.ok()) << image.status().message();
  EXPECT_EQ(image->config.entrypoint, std::vector<std::string>{"/bin/web"});
}

TEST_F(OciImageLayoutTest, PicksTheManifestByItsTag) {
  layout_.WriteIndex({Tagged(AddImage("web"), "web"), Tagged(AddImage("db"), "db")});
  Result<ResolvedImage> image = ReadOciImageLayout(layout_.dir(), "db");
  ASSERT_TRUE(image.ok()) << image.status().message();
  EXPECT_EQ(image->config.entrypoint, std::vector<std::string>{"/bin/db"});
  Result<ResolvedImage> untagged = ReadOciImageLayout(layout_.dir(), "");
  ASSERT_FALSE(untagged.ok());
  EXPECT_NE(untagged.status().message().find("tags: web, db"), std::string::npos);
}

TEST_F(OciImageLayoutTest, RefusesAnUnknownTagNamingTheKnownOnes) {
  layout_.WriteIndex({Tagged(AddImage("web"), "web")});
  Result<ResolvedImage> image = ReadOciImageLayout(layout_.dir(), "nope");
  ASSERT_FALSE(image.ok());
  EXPECT_NE(image.status().message().find("no image tagged \"nope\" (tags: web)"),
            std::string::npos)
      << image.status().message();
}

TEST_F(OciImageLayoutTest, FollowsANestedIndexToTheLinuxAmd64Manifest) {
  Json arm = test_util::ForPlatform(AddImage("arm", "arm64"), "arm64");
  Json amd = test_util::ForPlatform(AddImage("amd", "amd64"), "amd64");
  layout_.WriteIndex({Tagged(layout_.AddIndex({arm, amd}), "multi")});
  Result<ResolvedImage> image = ReadOciImageLayout(layout_.dir(), "multi");
  ASSERT_TRUE(image.ok()) << image.status().message();
  EXPECT_EQ(image->config.entrypoint, std::vector<std::string>{"/bin/amd"});
  EXPECT_EQ(image->manifest_digest, amd["digest"]);
}

TEST_F(OciImageLayoutTest, RefusesAnImageForAnotherArchitecture) {
  layout_.WriteIndex({AddImage("arm", "arm64")});
  Result<ResolvedImage> image = ReadOciImageLayout(layout_.dir(), "");
  ASSERT_FALSE(image.ok());
  EXPECT_NE(image.status().message().find("linux/arm64"), std::string::npos);
}

TEST_F(OciImageLayoutTest, RefusesABlobWhoseContentDoesNotMatchItsDigest) {
  Json manifest = AddImage("web");
  layout_.WriteIndex({manifest});
  // Same size, other bytes: only the digest can tell.
  std::filesystem::path blob = layout_.BlobPath(manifest);
  std::string content = test_util::ReadFile(blob);
  content[content.size() - 2] ^= 1;
  test_util::WriteFile(blob, content);
  Result<ResolvedImage> image = ReadOciImageLayout(layout_.dir(), "");
  ASSERT_FALSE(image.ok());
  EXPECT_NE(image.status().message().find("does not match its digest"), std::string::npos)
      << image.status().message();
}

TEST_F(OciImageLayoutTest, RefusesALayerWhoseContentDoesNotMatchItsDigest) {
  LayerBlob layer = test_util::WriteLayer(tmp_.path() / "layer.tar", {File("a", "original")});
  Json layer_descriptor = layout_.AddLayer(layer);
  layout_.WriteIndex(
      {layout_.AddManifest(layout_.AddConfig("/a", {layer.digest}), {layer_descriptor})});
  LayerBlob other = test_util::WriteLayer(tmp_.path() / "other.tar", {File("a", "tampered")});
  ASSERT_EQ(other.size, layer.size);
  std::filesystem::copy_file(other.path, layout_.BlobPath(layer_descriptor),
                             std::filesystem::copy_options::overwrite_existing);
  Result<ResolvedImage> image = ReadOciImageLayout(layout_.dir(), "");
  ASSERT_FALSE(image.ok());
  EXPECT_NE(image.status().message().find("blob " + layer.digest + " does not match its digest"),
            std::string::npos)
      << image.status().message();
}

TEST_F(OciImageLayoutTest, RefusesADigestThatWouldLeaveTheBlobDirectory) {
  test_util::WriteFile(tmp_.path() / "secret", "{}");
  layout_.WriteIndex({Json{{"mediaType", "application/vnd.oci.image.manifest.v1+json"},
                           {"digest", "sha256:../../../secret"},
                           {"size", 2}}});
  Result<ResolvedImage> image = ReadOciImageLayout(layout_.dir(), "");
  ASSERT_FALSE(image.ok());
  EXPECT_NE(image.status().message().find("invalid digest \"sha256:../../../secret\""),
            std::string::npos)
      << image.status().message();
}

TEST_F(OciImageLayoutTest, RefusesABlobSizeThatDiffersFromItsDescriptor) {
  Json manifest = AddImage("web");
  manifest["size"] = manifest["size"].get<uint64_t>() + 1;
  layout_.WriteIndex({manifest});
  Result<ResolvedImage> image = ReadOciImageLayout(layout_.dir(), "");
  ASSERT_FALSE(image.ok());
  EXPECT_NE(image.status().message().find("its descriptor says"), std::string::npos)
      << image.status().message();
}

TEST_F(OciImageLayoutTest, RefusesAnUnsupportedLayoutVersion) {
  layout_.WriteIndex({AddImage("web")});
  test_util::WriteFile(layout_.dir() / "oci-layout", R"({"imageLayoutVersion":"2.0.0"})");
  Result<ResolvedImage> image = ReadOciImageLayout(layout_.dir(), "");
  ASSERT_FALSE(image.ok());
  EXPECT_NE(image.status().message().find("unsupported imageLayoutVersion \"2.0.0\""),
            std::string::npos);
}

TEST_F(OciImageLayoutTest, RefusesAnIndexThatIsNotJson) {
  test_util::WriteFile(layout_.dir() / "index.json", "{\"manifests\": [");
  Result<ResolvedImage> image = ReadOciImageLayout(layout_.dir(), "");
  ASSERT_FALSE(image.ok());
  EXPECT_NE(image.status().message().find("index.json: not valid JSON"), std::string::npos);
}

}  // namespace
}  // namespace i2kit
