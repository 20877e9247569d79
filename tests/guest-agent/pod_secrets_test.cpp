// The agent's fetch of its Pod's Secrets at boot: retried, checked against what the Pod needs.
#include "guest-agent/pod_secrets.h"

#include <gtest/gtest.h>

#include "common/pod_secrets.h"

namespace i2kit {
namespace {

Deployment WithSecretVolume(bool optional) {
  Deployment d;
  d.name = "shop";
  Volume v;
  v.name = "creds";
  v.type = VolumeType::kSecret;
  v.object_name = "shop-secret";
  v.optional = optional;
  d.volumes.push_back(v);
  return d;
}

std::string Bundle(const std::string& name) {
  ConfigObject s;
  s.name = name;
  s.data = {{"password", "s3cr3t-pa55"}};
  ConfigObject other;
  other.name = "not-referred-to";
  other.data = {{"k", "v"}};
  return SecretsToJson({s, other});
}

SecretsFetchOptions NoWait(std::vector<std::chrono::milliseconds>* slept = nullptr) {
  SecretsFetchOptions options;
  options.attempts = 3;
  options.sleep = [slept](std::chrono::milliseconds d) {
    if (slept) slept->push_back(d);
  };
  return options;
}

TEST(PodSecretsFetchTest, APodThatRefersToNoSecretAsksForNothing) {
  int asked = 0;
  Result<std::vector<ConfigObject>> got = FetchPodSecrets(
      Deployment{}, [&]() -> Result<std::string> { return ++asked, Bundle("x"); }, NoWait());
  ASSERT_TRUE(got.ok());
  EXPECT_TRUE(got->empty());
  EXPECT_EQ(asked, 0);
}

TEST(PodSecretsFetchTest, AFailingFetchIsRetriedWithGrowingDelays) {
  int asked = 0;
  std::vector<std::chrono::milliseconds> slept;
  Result<std::vector<ConfigObject>> got = FetchPodSecrets(
      WithSecretVolume(false),
      [&]() -> Result<std::string> {
        if (++asked < 3) return Status::Error("connect 10.0.2.4:80: Connection refused");
        return Bundle("shop-secret");
      },
      NoWait(&slept));
  ASSERT_TRUE(got.ok()) << got.status().message();
  ASSERT_EQ(got->size(), 1u);  // only the Secret the Pod refers to
  EXPECT_EQ((*got)[0].data.at("password"), "s3cr3t-pa55");
  EXPECT_EQ(slept, (std::vector<std::chrono::milliseconds>{std::chrono::milliseconds(1000),
                                                           std::chrono::milliseconds(2000)}));
}

TEST(PodSecretsFetchTest, AFetchThatKeepsFailingFailsThePodSayingWhy) {
  Result<std::vector<ConfigObject>> got = FetchPodSecrets(
      WithSecretVolume(false),
      []() -> Result<std::string> { return Status::Error("metadata /i2kit/v1/secrets: HTTP 500"); },
      NoWait());
  ASSERT_FALSE(got.ok());
  EXPECT_NE(got.status().message().find("fetching the Pod's Secrets"), std::string::npos);
  EXPECT_NE(got.status().message().find("HTTP 500"), std::string::npos);
}

TEST(PodSecretsFetchTest, AMissingSecretFailsThePodUnlessItIsOptional) {
  Result<std::vector<ConfigObject>> needed = FetchPodSecrets(
      WithSecretVolume(false), [] { return Result<std::string>(Bundle("another")); }, NoWait());
  ASSERT_FALSE(needed.ok());
  EXPECT_NE(needed.status().message().find("Secret shop-secret"), std::string::npos);
  EXPECT_EQ(needed.status().message().find("s3cr3t"), std::string::npos);

  Result<std::vector<ConfigObject>> optional = FetchPodSecrets(
      WithSecretVolume(true), [] { return Result<std::string>(Bundle("another")); }, NoWait());
  ASSERT_TRUE(optional.ok());
  EXPECT_TRUE(optional->empty());
}

}  // namespace
}  // namespace i2kit
