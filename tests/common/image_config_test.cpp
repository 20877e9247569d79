#include "common/image_config.h"

#include <gtest/gtest.h>

namespace i2kit {
namespace {

TEST(ImageConfigTest, ReadsTheOciConfigObject) {
  nlohmann::json oci = nlohmann::json::parse(R"({
    "architecture": "amd64", "os": "linux",
    "config": {"Entrypoint": ["/bin/busybox", "httpd"], "Cmd": ["-f"], "Env": ["PATH=/bin"],
               "User": "65534:65534", "WorkingDir": "/www", "ExposedPorts": {"8080/tcp": {}}}})");
  Result<ImageConfig> config = ImageConfigFromOci(oci);
  ASSERT_TRUE(config.ok()) << config.status().message();
  EXPECT_EQ(config->entrypoint, (std::vector<std::string>{"/bin/busybox", "httpd"}));
  EXPECT_EQ(config->cmd, (std::vector<std::string>{"-f"}));
  EXPECT_EQ(config->env, (std::vector<std::string>{"PATH=/bin"}));
  EXPECT_EQ(config->user, "65534:65534");
  EXPECT_EQ(config->working_dir, "/www");
}

TEST(ImageConfigTest, MissingFieldsStayEmpty) {
  Result<ImageConfig> config =
      ImageConfigFromOci(nlohmann::json::parse(R"({"config": {"Cmd": null}})"));
  ASSERT_TRUE(config.ok());
  EXPECT_EQ(*config, ImageConfig{});
  EXPECT_TRUE(ImageConfigFromOci(nlohmann::json::parse("{}")).ok());
}

TEST(ImageConfigTest, RejectsWrongTypes) {
  Result<ImageConfig> config =
      ImageConfigFromOci(nlohmann::json::parse(R"({"config": {"Cmd": "x"}})"));
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.status().message(), "image config: Cmd: expected a list of strings");
  EXPECT_FALSE(ImageConfigFromOci(nlohmann::json::parse("[]")).ok());
}

TEST(ImageConfigTest, RoundTripsThroughItsJson) {
  ImageConfig config{{"/entry"}, {"a", "b"}, {"A=1"}, "nobody", "/srv"};
  Result<ImageConfig> back = ImageConfigFromJson(nlohmann::json(ToJson(config)));
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, config);
}

}  // namespace
}  // namespace i2kit
