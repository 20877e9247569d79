// `i2kit-host deploy` as a user runs it: --dry-run prints a template that passes the
// specification and calls nothing; without it the verb says what is missing and fails.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>

#include "cloudformation/cloudformation_test_util.h"
#include "host-cli/host_cli_test_util.h"

namespace i2kit {
namespace {

constexpr const char* kAmi = "ami-0123456789abcdef0";

std::string Example(const char* name) {
  return std::string(I2KIT_SOURCE_DIR) + "/examples/" + name;
}

class DeployVerbTest : public ManifestFilesTest {};

TEST_F(DeployVerbTest, DryRunPrintsATemplateThatPassesTheSpecification) {
  CliRun run = RunCli({"deploy", Example("web-with-service.yml"), "--dry-run", "--ami", kAmi,
                       "--domain", "example.com"});
  ASSERT_EQ(run.code, 0) << run.err;
  nlohmann::ordered_json t = nlohmann::ordered_json::parse(run.out);
  EXPECT_TRUE(CheckTemplate(Spec(), t).empty());
  EXPECT_NE(t["Description"].get<std::string>().find("web-with-service"), std::string::npos);
}

TEST_F(DeployVerbTest, WithoutCredentialsItSaysWhereItLookedForThem) {
  std::string nowhere = (dir_ / "no-such-file").string();
  ::setenv("AWS_SHARED_CREDENTIALS_FILE", nowhere.c_str(), 1);
  ::setenv("AWS_CONFIG_FILE", nowhere.c_str(), 1);
  for (const char* name : {"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_PROFILE"}) {
    ::unsetenv(name);
  }
  CliRun run = RunCli({"deploy", Example("hello.yml"), "--ami", kAmi, "--region", "eu-west-1"});
  ::unsetenv("AWS_SHARED_CREDENTIALS_FILE");
  ::unsetenv("AWS_CONFIG_FILE");
  EXPECT_EQ(run.code, 1);
  EXPECT_EQ(run.out, "");
  EXPECT_NE(run.err.find("no AWS credentials in the environment or in profile 'default'"),
            std::string::npos)
      << run.err;
}

TEST_F(DeployVerbTest, InvalidManifestGetsTheDiagnosticsOfValidate) {
  std::string bad = Write("bad.yml", "name: Bad_Name\ncontainers: {}\n");
  CliRun deploy = RunCli({"deploy", bad, "--dry-run", "--ami", kAmi});
  CliRun validate = RunCli({"validate", bad});
  EXPECT_EQ(deploy.code, 1);
  EXPECT_EQ(deploy.out, "");
  EXPECT_NE(deploy.err.find("invalid: "), std::string::npos) << deploy.err;
  EXPECT_EQ(deploy.err, validate.err);
}

TEST_F(DeployVerbTest, HttpsWithoutCertificateNamesTheFlag) {
  std::string shop = Write("shop.yml",
                           "name: shop\ncontainers:\n  a:\n    image: a:1\n"
                           "    ports: [https:443:http:80]\n");
  CliRun run = RunCli({"deploy", shop, "--dry-run", "--ami", kAmi});
  EXPECT_EQ(run.code, 1);
  EXPECT_NE(run.err.find("deployment shop, port https:443"), std::string::npos) << run.err;
  EXPECT_NE(run.err.find("--certificate"), std::string::npos) << run.err;
}

TEST_F(DeployVerbTest, FilesMayFollowTheAmiOption) {
  CliRun run = RunCli({"deploy", "--ami", kAmi, Example("hello.yml"), "--dry-run"});
  EXPECT_EQ(run.code, 0) << run.err;
}

TEST_F(DeployVerbTest, TwoDefaultAmisAreAnError) {
  CliRun run = RunCli({"deploy", Example("hello.yml"), "--dry-run", "--ami", kAmi, "--ami",
                       "ami-00000000000000001"});
  EXPECT_EQ(run.code, 1);
  EXPECT_NE(run.err.find("--ami NAME="), std::string::npos) << run.err;
}

TEST_F(DeployVerbTest, FileNameThatIsNoStackNameAsksForStackName) {
  std::string odd = Write("1st.yml", "name: one\ncontainers:\n  a:\n    image: a:1\n");
  CliRun run = RunCli({"deploy", odd, "--dry-run", "--ami", kAmi});
  EXPECT_EQ(run.code, 1);
  EXPECT_NE(run.err.find("--stack-name"), std::string::npos) << run.err;
  EXPECT_EQ(RunCli({"deploy", odd, "--dry-run", "--ami", kAmi, "--stack-name", "one"}).code, 0);
}

}  // namespace
}  // namespace i2kit
