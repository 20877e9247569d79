#include "guest-agent/pod_field.h"

#include <gtest/gtest.h>

namespace i2kit {
namespace {

PodFacts Facts() {
  PodFacts facts;
  facts.name = "shop-0";
  facts.namespace_name = "shop";
  facts.labels = {{"tier", "web"}, {"app", "shop"}};
  facts.pod_ip = "10.0.2.15";
  facts.vm_cpu_millis = 2000;
  facts.vm_memory_bytes = int64_t{512} << 20;
  return facts;
}

Deployment Pod() {
  Deployment pod;
  Container web;
  web.name = "web";
  web.resources.limits = {500, int64_t{64} << 20};
  Container sidecar;
  sidecar.name = "sidecar";
  pod.containers = {web, sidecar};
  return pod;
}

std::string Field(const std::string& path, const std::string& asking = "web") {
  PodField field;
  field.field_path = path;
  Result<std::string> value = ResolvePodField(field, Facts(), Pod(), asking);
  EXPECT_TRUE(value.ok()) << value.status().message();
  return value.ok() ? *value : "";
}

std::string Resource(const std::string& resource, int64_t divisor, const std::string& container,
                     const std::string& asking = "web") {
  PodField field;
  field.resource = resource;
  field.divisor = divisor;
  field.container = container;
  Result<std::string> value = ResolvePodField(field, Facts(), Pod(), asking);
  EXPECT_TRUE(value.ok()) << value.status().message();
  return value.ok() ? *value : "";
}

TEST(PodFieldTest, MetadataAndStatusFieldsAreThePodsOwn) {
  EXPECT_EQ(Field("metadata.name"), "shop-0");
  EXPECT_EQ(Field("metadata.namespace"), "shop");
  EXPECT_EQ(Field("status.podIP"), "10.0.2.15");
  EXPECT_EQ(Field("metadata.labels['app']"), "shop");
  EXPECT_EQ(Field("metadata.labels['absent']"), "");
}

TEST(PodFieldTest, LabelsAreKubernetesQuotedLinesSortedByKey) {
  EXPECT_EQ(Field("metadata.labels"), "app=\"shop\"\ntier=\"web\"");
  EXPECT_EQ(FormatDownwardMap({{"k", "a\"b\\c\nd"}}), "k=\"a\\\"b\\\\c\\nd\"");
}

TEST(PodFieldTest, ResourcesDivideRoundingUp) {
  EXPECT_EQ(Resource("limits.memory", 1 << 20, ""), "64");
  EXPECT_EQ(Resource("limits.cpu", 1, ""), "500");
  EXPECT_EQ(Resource("limits.cpu", 1000, ""), "1");         // 500m in cores: ceil(0.5)
  EXPECT_EQ(Resource("limits.memory", 3, ""), "22369622");  // 67108864 / 3, rounded up
}

TEST(PodFieldTest, AnUnsetLimitIsTheVmsAndAnUnsetRequestTheLimit) {
  EXPECT_EQ(Resource("limits.cpu", 1, "sidecar"), "2000");
  EXPECT_EQ(Resource("limits.memory", 1 << 20, "", "sidecar"), "512");
  EXPECT_EQ(Resource("requests.cpu", 1, "web", "sidecar"), "500");
  EXPECT_EQ(Resource("requests.memory", 1, "sidecar"), "0");
}

TEST(PodFieldTest, UnknownFieldsAndContainersAreErrors) {
  PodField field;
  field.field_path = "spec.nodeName";
  EXPECT_FALSE(ResolvePodField(field, Facts(), Pod(), "web").ok());
  field = PodField();
  field.resource = "limits.memory";
  field.container = "nope";
  EXPECT_FALSE(ResolvePodField(field, Facts(), Pod(), "web").ok());
}

}  // namespace
}  // namespace i2kit
