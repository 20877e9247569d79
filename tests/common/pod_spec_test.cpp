#include "common/pod_spec.h"

#include <gtest/gtest.h>

#include "common/manifest_test_util.h"

namespace i2kit {
namespace {

PodSpec WebSpec() {
  LoadedManifest loaded = testing::Read(testing::ReadExample("web-with-service.yml"));
  PodSpec spec;
  spec.deployment = loaded.manifest.deployments.at(0);
  spec.images.push_back({ImageConfig{{"/bin/busybox"}, {"httpd"}, {"PATH=/bin"}, "65534", "/"},
                         "/dev/vda", "web", "root:x:0:0::/:/bin/sh\n", "root:x:0:\n",
                         "sha256:abc"});
  return spec;
}

TEST(PodSpecTest, RoundTripsThroughJson) {
  PodSpec spec = WebSpec();
  Result<PodSpec> back = PodSpecFromJson(nlohmann::json(ToJson(spec)));
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_EQ(back->images, spec.images);
  EXPECT_EQ(back->deployment.name, "web");
  EXPECT_EQ(back->deployment.containers.at(0).readiness_probe->port, 8080);
}

TEST(PodSpecTest, NeedsOneImagePerContainer) {
  nlohmann::json json = ToJson(WebSpec());
  json["images"] = nlohmann::json::array();
  EXPECT_EQ(PodSpecFromJson(json).status().message(),
            "pod spec: images: expected one entry per container and init container (1)");
  json = ToJson(WebSpec());
  json["images"][0]["rootfsDevice"] = 7;
  EXPECT_EQ(PodSpecFromJson(json).status().message(),
            "pod spec: images[0].rootfsDevice: expected a string");
}

TEST(PodSpecTest, ReportsUnreadableFiles) {
  EXPECT_EQ(ReadPodSpec("/nonexistent/pod.json").status().message(),
            "reading the pod spec: open(\"/nonexistent/pod.json\") failed: ENOENT (No such file or "
            "directory)");
}

}  // namespace
}  // namespace i2kit
