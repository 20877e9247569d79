// A Pod's Secrets: which a Deployment refers to, and the JSON that carries them to its agent.
#include "common/pod_secrets.h"

#include <gtest/gtest.h>

namespace i2kit {
namespace {

ConfigObject Secret(std::string name, std::map<std::string, std::string> data) {
  ConfigObject s;
  s.name = std::move(name);
  s.data = std::move(data);
  return s;
}

Deployment Referring() {
  Deployment d;
  d.name = "shop";
  Volume creds;
  creds.name = "creds";
  creds.type = VolumeType::kSecret;
  creds.object_name = "volume-secret";
  d.volumes.push_back(creds);
  Container web;
  web.name = "web";
  EnvVar password;
  password.name = "PASSWORD";
  password.source = EnvSource::kSecretKey;
  password.object_name = "env-secret";
  password.key = "password";
  web.env.push_back(password);
  EnvVar maybe = password;
  maybe.object_name = "optional-secret";
  maybe.optional = true;
  web.env.push_back(maybe);
  EnvVar config = password;
  config.source = EnvSource::kConfigMapKey;
  config.object_name = "a-config-map";
  web.env.push_back(config);
  d.containers.push_back(web);
  Container init;
  init.name = "init";
  EnvFromSource from;
  from.is_secret = true;
  from.object_name = "init-secret";
  init.env_from.push_back(from);
  d.init_containers.push_back(init);
  return d;
}

TEST(PodSecretsTest, VolumesEnvEnvFromAndInitContainersReferToSecrets) {
  std::map<std::string, bool> want = {{"env-secret", true},
                                      {"init-secret", true},
                                      {"optional-secret", false},
                                      {"volume-secret", true}};
  EXPECT_EQ(ReferencedSecrets(Referring()), want);
}

TEST(PodSecretsTest, ASecretIsNeededWhenAnyReferenceToItIsNotOptional) {
  Deployment d = Referring();
  EnvFromSource from;
  from.is_secret = true;
  from.object_name = "optional-secret";
  d.containers[0].env_from.push_back(from);
  EXPECT_TRUE(ReferencedSecrets(d).at("optional-secret"));
}

TEST(PodSecretsTest, ADeploymentGetsOnlyTheSecretsItRefersTo) {
  std::vector<ConfigObject> all = {Secret("other-deployments", {{"k", "v"}}),
                                   Secret("volume-secret", {{"a", "1"}}),
                                   Secret("env-secret", {{"password", "p"}})};
  std::vector<ConfigObject> mine = SecretsFor(Referring(), all);
  ASSERT_EQ(mine.size(), 2u);
  EXPECT_EQ(mine[0].name, "env-secret");
  EXPECT_EQ(mine[1].name, "volume-secret");
  EXPECT_TRUE(SecretsFor(Deployment{}, all).empty());
}

TEST(PodSecretsTest, ValuesCrossAsBase64AndComeBackAsTheSameBytes) {
  std::string binary("\x00\x01\xff\n", 4);
  std::vector<ConfigObject> secrets = {Secret("s", {{"password", "s3cr3t-pa55"}, {"bin", binary}})};
  std::string json = SecretsToJson(secrets);
  EXPECT_EQ(json.find("s3cr3t-pa55"), std::string::npos) << json;
  EXPECT_NE(json.find("czNjcjN0LXBhNTU="), std::string::npos) << json;
  Result<std::vector<ConfigObject>> back = SecretsFromJson(json);
  ASSERT_TRUE(back.ok()) << back.status().message();
  ASSERT_EQ(back->size(), 1u);
  EXPECT_EQ((*back)[0].data, secrets[0].data);
}

TEST(PodSecretsTest, MalformedSecretsAreRefusedWithoutQuotingThem) {
  EXPECT_FALSE(SecretsFromJson("not json").ok());
  EXPECT_FALSE(SecretsFromJson("{\"secrets\":[{\"name\":\"s\"}]}").ok());
  Result<std::vector<ConfigObject>> bad =
      SecretsFromJson("{\"secrets\":[{\"name\":\"s\",\"data\":{\"k\":\"%%not-base64%%\"}}]}");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message().find("%%not-base64%%"), std::string::npos);
  EXPECT_NE(bad.status().message().find("secret s key k"), std::string::npos);
}

}  // namespace
}  // namespace i2kit
