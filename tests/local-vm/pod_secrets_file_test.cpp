// The host's private secrets file between build and run: 0600, only the Deployment's Secrets,
// gone when the Deployment no longer refers to any.
#include "local-vm/pod_secrets_file.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>

#include "common/pod_secrets.h"
#include "common/temp_dir.h"

namespace i2kit {
namespace {

Deployment Referring(const std::string& secret) {
  Deployment d;
  d.name = "shop";
  Container c;
  c.name = "web";
  EnvFromSource from;
  from.is_secret = true;
  from.object_name = secret;
  c.env_from.push_back(from);
  d.containers.push_back(c);
  return d;
}

std::vector<ConfigObject> Secrets(const std::string& password) {
  ConfigObject mine;
  mine.name = "shop-secret";
  mine.data = {{"password", password}};
  ConfigObject theirs;
  theirs.name = "cart-secret";
  theirs.data = {{"token", "cart-only"}};
  return {mine, theirs};
}

TEST(PodSecretsFileTest, TheFileIsPrivateAndHoldsOnlyTheDeploymentsSecrets) {
  Result<TempDir> made = TempDir::Create(::testing::TempDir(), "secrets");
  ASSERT_TRUE(made.ok());
  const TempDir& dir = *made;
  ::umask(022);
  ASSERT_TRUE(WritePodSecretsFile(dir.path(), Referring("shop-secret"), Secrets("one")).ok());
  struct stat st {};
  ASSERT_EQ(::stat((dir.path() + "/" + kPodSecretsFile).c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  Result<std::string> text = ReadPodSecretsFile(dir.path());
  ASSERT_TRUE(text.ok());
  Result<std::vector<ConfigObject>> back = SecretsFromJson(*text);
  ASSERT_TRUE(back.ok());
  ASSERT_EQ(back->size(), 1u);
  EXPECT_EQ((*back)[0].name, "shop-secret");
  EXPECT_EQ(text->find("cart"), std::string::npos);
}

TEST(PodSecretsFileTest, ARebuildReplacesAChangedSecretAndRemovesAnUnreferredOne) {
  Result<TempDir> made = TempDir::Create(::testing::TempDir(), "secrets");
  ASSERT_TRUE(made.ok());
  const TempDir& dir = *made;
  ASSERT_TRUE(WritePodSecretsFile(dir.path(), Referring("shop-secret"), Secrets("one")).ok());
  ASSERT_TRUE(WritePodSecretsFile(dir.path(), Referring("shop-secret"), Secrets("two")).ok());
  Result<std::vector<ConfigObject>> back = SecretsFromJson(*ReadPodSecretsFile(dir.path()));
  ASSERT_TRUE(back.ok());
  EXPECT_EQ((*back)[0].data.at("password"), "two");

  ASSERT_TRUE(WritePodSecretsFile(dir.path(), Deployment{}, Secrets("two")).ok());
  EXPECT_FALSE(std::filesystem::exists(dir.path() + "/" + kPodSecretsFile));
  EXPECT_EQ(*ReadPodSecretsFile(dir.path()), "{\"secrets\":[]}");
}

}  // namespace
}  // namespace i2kit
