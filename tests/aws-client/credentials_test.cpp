#include "aws-client/credentials.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>

namespace i2kit::aws {
namespace {

constexpr char kCredentialsPath[] = "/home/u/.aws/credentials";
constexpr char kConfigPath[] = "/home/u/.aws/config";

SharedFiles Files(std::optional<std::string> credentials, std::optional<std::string> config) {
  SharedFiles files;
  files.credentials_path = kCredentialsPath;
  files.credentials_text = std::move(credentials);
  files.config_path = kConfigPath;
  files.config_text = std::move(config);
  return files;
}

Credentials InstanceKeys() {
  Credentials credentials;
  credentials.access_key_id = "ASIAINSTANCE";
  credentials.secret_access_key = "instance-secret";
  credentials.session_token = "instance-token";
  return credentials;
}

InstanceRoleCredentials InstanceRole() {
  return [] { return Result<Credentials>(InstanceKeys()); };
}

InstanceRoleCredentials NoInstanceRole() {
  return [] { return Result<Credentials>(Status::Error("IMDSv2 token request timed out")); };
}

const char kCredentialsFile[] =
    "[default]\n"
    "aws_access_key_id = AKIADEFAULT\n"
    "aws_secret_access_key = default-secret\n"
    "[dev]\n"
    "aws_access_key_id = AKIADEV\n"
    "aws_secret_access_key = dev-secret\n"
    "aws_session_token = dev-token\n";

const char kConfigFile[] =
    "[default]\n"
    "region = eu-west-1\n"
    "[profile dev]\n"
    "region = us-east-2\n"
    "[profile keys-in-config]\n"
    "aws_access_key_id = AKIACONFIG\n"
    "aws_secret_access_key = config-secret\n"
    "[profile assume]\n"
    "source_profile = dev\n"
    "role_arn = arn:aws:iam::123456789012:role/deploy\n"
    "[profile half]\n"
    "aws_access_key_id = AKIAHALF\n"
    "[dev]\n"
    "region = ignored-without-profile-prefix\n";

TEST(CredentialsTest, EnvironmentComesFirst) {
  Environment environment{{"AWS_ACCESS_KEY_ID", "AKIAENV"},
                          {"AWS_SECRET_ACCESS_KEY", "env-secret"},
                          {"AWS_SESSION_TOKEN", "env-token"},
                          {"AWS_PROFILE", "dev"}};
  Result<ResolvedCredentials> resolved =
      ResolveCredentials(environment, Files(kCredentialsFile, kConfigFile), "", InstanceRole());
  ASSERT_TRUE(resolved.ok()) << resolved.status().message();
  EXPECT_EQ(resolved->credentials.access_key_id, "AKIAENV");
  EXPECT_EQ(resolved->credentials.secret_access_key, "env-secret");
  EXPECT_EQ(resolved->credentials.session_token, "env-token");
  EXPECT_EQ(resolved->source, "environment");
}

TEST(CredentialsTest, AnExplicitProfileOutranksTheEnvironment) {
  Environment environment{{"AWS_ACCESS_KEY_ID", "AKIAENV"},
                          {"AWS_SECRET_ACCESS_KEY", "env-secret"}};
  Result<ResolvedCredentials> resolved =
      ResolveCredentials(environment, Files(kCredentialsFile, kConfigFile), "dev", InstanceRole());
  ASSERT_TRUE(resolved.ok()) << resolved.status().message();
  EXPECT_EQ(resolved->credentials.access_key_id, "AKIADEV");
  EXPECT_EQ(resolved->credentials.session_token, "dev-token");
  EXPECT_EQ(resolved->source, "profile 'dev' in /home/u/.aws/credentials");
}

TEST(CredentialsTest, RejectsAnEnvironmentKeyWithoutItsSecret) {
  Result<ResolvedCredentials> resolved = ResolveCredentials(
      {{"AWS_ACCESS_KEY_ID", "AKIAENV"}}, Files(kCredentialsFile, {}), "", InstanceRole());
  ASSERT_FALSE(resolved.ok());
  EXPECT_EQ(
      resolved.status().message(),
      "environment: AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not: expected both");
  EXPECT_FALSE(ResolveCredentials({{"AWS_SECRET_ACCESS_KEY", "s"}}, Files({}, {}), "", {}).ok());
}

TEST(CredentialsTest, DefaultProfileOfTheCredentialsFile) {
  Result<ResolvedCredentials> resolved =
      ResolveCredentials({}, Files(kCredentialsFile, kConfigFile), "", InstanceRole());
  ASSERT_TRUE(resolved.ok()) << resolved.status().message();
  EXPECT_EQ(resolved->credentials.access_key_id, "AKIADEFAULT");
  EXPECT_EQ(resolved->credentials.session_token, "");
}

TEST(CredentialsTest, AwsProfileChoosesTheProfile) {
  Result<ResolvedCredentials> resolved = ResolveCredentials(
      {{"AWS_PROFILE", "dev"}}, Files(kCredentialsFile, kConfigFile), "", InstanceRole());
  ASSERT_TRUE(resolved.ok()) << resolved.status().message();
  EXPECT_EQ(resolved->credentials.access_key_id, "AKIADEV");
}

TEST(CredentialsTest, ConfigFileProfilesNeedTheProfilePrefix) {
  Result<ResolvedCredentials> resolved =
      ResolveCredentials({}, Files({}, kConfigFile), "keys-in-config", InstanceRole());
  ASSERT_TRUE(resolved.ok()) << resolved.status().message();
  EXPECT_EQ(resolved->credentials.access_key_id, "AKIACONFIG");
  EXPECT_EQ(resolved->source, "profile 'keys-in-config' in /home/u/.aws/config");

  // "[dev]" in the config file is not profile dev, and "[profile dev]" holds no keys.
  EXPECT_EQ(ResolveRegion({}, Files({}, kConfigFile), "dev").value(), "us-east-2");
}

TEST(CredentialsTest, RejectsAProfileThatDoesNotExist) {
  Result<ResolvedCredentials> resolved =
      ResolveCredentials({}, Files(kCredentialsFile, kConfigFile), "prod", InstanceRole());
  ASSERT_FALSE(resolved.ok());
  EXPECT_EQ(resolved.status().message(),
            "profile 'prod' not found in /home/u/.aws/credentials or /home/u/.aws/config");
  EXPECT_FALSE(ResolveRegion({{"AWS_PROFILE", "prod"}}, Files({}, kConfigFile), "").ok());
}

TEST(CredentialsTest, RejectsAKeyWithoutASecretNamingFileAndLine) {
  Result<ResolvedCredentials> resolved =
      ResolveCredentials({}, Files({}, kConfigFile), "half", InstanceRole());
  ASSERT_FALSE(resolved.ok());
  EXPECT_EQ(resolved.status().message(),
            "/home/u/.aws/config:12: profile 'half' sets aws_access_key_id but not "
            "aws_secret_access_key: expected both");
}

TEST(CredentialsTest, RejectsAnEmptyKey) {
  Result<ResolvedCredentials> resolved = ResolveCredentials(
      {}, Files("[default]\naws_access_key_id =\naws_secret_access_key = s\n", {}), "", {});
  ASSERT_FALSE(resolved.ok());
  EXPECT_EQ(resolved.status().message(),
            "/home/u/.aws/credentials:2: profile 'default' has an empty key: expected a value "
            "after '='");
}

TEST(CredentialsTest, RefusesAProfileThatAssumesARole) {
  Result<ResolvedCredentials> resolved =
      ResolveCredentials({}, Files(kCredentialsFile, kConfigFile), "assume", InstanceRole());
  ASSERT_FALSE(resolved.ok());
  EXPECT_EQ(resolved.status().message(),
            "/home/u/.aws/config:10: profile 'assume' uses role_arn, which i2kit does not "
            "support: expected aws_access_key_id and aws_secret_access_key");
}

TEST(CredentialsTest, ReportsAFileThatDoesNotParse) {
  Result<ResolvedCredentials> resolved =
      ResolveCredentials({}, Files("[default\n", kConfigFile), "", InstanceRole());
  ASSERT_FALSE(resolved.ok());
  EXPECT_EQ(resolved.status().message(),
            "/home/u/.aws/credentials:1: expected a section header '[name]', got '[default'");
}

TEST(CredentialsTest, FallsBackToTheInstanceRole) {
  Result<ResolvedCredentials> resolved =
      ResolveCredentials({}, Files({}, "[default]\nregion = eu-west-1\n"), "", InstanceRole());
  ASSERT_TRUE(resolved.ok()) << resolved.status().message();
  EXPECT_EQ(resolved->credentials.access_key_id, "ASIAINSTANCE");
  EXPECT_EQ(resolved->credentials.session_token, "instance-token");
  EXPECT_EQ(resolved->source, "instance role");
}

TEST(CredentialsTest, SaysWhatItTriedWhenNothingGivesCredentials) {
  Result<ResolvedCredentials> resolved =
      ResolveCredentials({}, Files({}, {}), "", NoInstanceRole());
  ASSERT_FALSE(resolved.ok());
  EXPECT_EQ(resolved.status().message(),
            "no AWS credentials in the environment or in profile 'default' "
            "(/home/u/.aws/credentials or /home/u/.aws/config); instance role: IMDSv2 token "
            "request timed out");
  Result<ResolvedCredentials> without_role = ResolveCredentials({}, Files({}, {}), "", {});
  ASSERT_FALSE(without_role.ok());
  EXPECT_NE(without_role.status().message().find("and no instance role to ask"), std::string::npos);
}

TEST(CredentialsTest, RegionFromEnvironmentThenProfile) {
  SharedFiles files = Files(kCredentialsFile, kConfigFile);
  EXPECT_EQ(ResolveRegion({{"AWS_REGION", "ap-south-1"}, {"AWS_DEFAULT_REGION", "sa-east-1"}},
                          files, "dev")
                .value(),
            "ap-south-1");
  EXPECT_EQ(ResolveRegion({{"AWS_DEFAULT_REGION", "sa-east-1"}}, files, "dev").value(),
            "sa-east-1");
  EXPECT_EQ(ResolveRegion({}, files, "").value(), "eu-west-1");
  EXPECT_EQ(ResolveRegion({{"AWS_PROFILE", "dev"}}, files, "").value(), "us-east-2");
  EXPECT_EQ(ResolveRegion({}, Files("[x]\nregion = ca-central-1\n", {}), "x").value(),
            "ca-central-1");
}

TEST(CredentialsTest, SaysWhereToSetAMissingRegion) {
  Result<std::string> region = ResolveRegion({}, Files(kCredentialsFile, {}), "");
  ASSERT_FALSE(region.ok());
  EXPECT_EQ(region.status().message(),
            "no AWS region: set AWS_REGION or 'region' in profile 'default' of "
            "/home/u/.aws/config");
}

TEST(CredentialsTest, SharedFilePathsFollowTheVariablesAndHome) {
  EXPECT_EQ(SharedCredentialsPath({{"HOME", "/home/u"}}), "/home/u/.aws/credentials");
  EXPECT_EQ(SharedConfigPath({{"HOME", "/home/u"}}), "/home/u/.aws/config");
  EXPECT_EQ(SharedConfigPath({{"HOME", "/home/u"}, {"AWS_CONFIG_FILE", "~/cfg"}}), "/home/u/cfg");
  EXPECT_EQ(SharedCredentialsPath({{"AWS_SHARED_CREDENTIALS_FILE", "/etc/aws"}}), "/etc/aws");
  EXPECT_EQ(SharedConfigPath({}), "");
}

TEST(CredentialsTest, ProfileNameFromFlagThenEnvironment) {
  EXPECT_EQ(ProfileName({{"AWS_PROFILE", "dev"}}, "prod"), "prod");
  EXPECT_EQ(ProfileName({{"AWS_PROFILE", "dev"}}, ""), "dev");
  EXPECT_EQ(ProfileName({}, ""), "default");
}

TEST(CredentialsTest, ReadsPresentFilesAndSkipsMissingOnes) {
  std::filesystem::path dir =
      std::filesystem::temp_directory_path() / ("aws_client_test_" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "credentials") << kCredentialsFile;
  Environment environment{{"AWS_SHARED_CREDENTIALS_FILE", (dir / "credentials").string()},
                          {"AWS_CONFIG_FILE", (dir / "missing").string()}};
  Result<SharedFiles> files = ReadSharedFiles(environment);
  std::filesystem::remove_all(dir);
  ASSERT_TRUE(files.ok()) << files.status().message();
  EXPECT_EQ(files->credentials_text, std::optional<std::string>(kCredentialsFile));
  EXPECT_FALSE(files->config_text.has_value());

  Result<SharedFiles> unreadable = ReadSharedFiles({{"AWS_CONFIG_FILE", "/proc/self/mem/x"}});
  ASSERT_FALSE(unreadable.ok());
  EXPECT_EQ(unreadable.status().message().rfind("open(\"/proc/self/mem/x\") failed: ", 0), 0u);
}

TEST(CredentialsTest, CurrentEnvironmentSeesThisProcess) {
  ASSERT_EQ(setenv("I2KIT_AWS_CLIENT_TEST", "a=b", 1), 0);
  Environment environment = CurrentEnvironment();
  unsetenv("I2KIT_AWS_CLIENT_TEST");
  ASSERT_TRUE(environment.contains("I2KIT_AWS_CLIENT_TEST"));
  EXPECT_EQ(environment.at("I2KIT_AWS_CLIENT_TEST"), "a=b");
}

}  // namespace
}  // namespace i2kit::aws
