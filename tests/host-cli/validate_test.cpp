// `i2kit-host validate` as a user runs it: exit codes, output formats, help and version.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "host-cli/command.h"
#include "host-cli/host_cli_test_util.h"

namespace i2kit {
namespace {

class ValidateTest : public ManifestFilesTest {};

std::string Example(const char* name) {
  return std::string(I2KIT_SOURCE_DIR) + "/examples/" + name;
}

TEST_F(ValidateTest, ValidFilesExitZeroWithASummary) {
  CliRun run =
      RunCli({"validate", Example("paper-fig5-i2kit.yml"), Example("web-with-service.yml")});
  EXPECT_EQ(run.code, 0) << run.err;
  EXPECT_NE(run.out.find("deployment nginx-deployment: 3 replicas, 1 container"), std::string::npos)
      << run.out;
  EXPECT_NE(run.out.find("service web-public: LoadBalancer, 1 port"), std::string::npos) << run.out;
}

TEST_F(ValidateTest, InvalidFilesExitOneAndPrintEveryProblem) {
  std::string bad = Write("bad.yml", "name: Bad\nreplicas: x\ncontainers:\n  c: {image: x}\n");
  CliRun run = RunCli({"validate", bad});
  EXPECT_EQ(run.code, 1);
  EXPECT_NE(run.err.find(bad + ":1:7: error: name: 'Bad' is not a valid name"), std::string::npos)
      << run.err;
  EXPECT_NE(run.err.find(
                bad + ":2:11: error: replicas: 'x' is not an integer (an integer from 0 to 1000)"),
            std::string::npos)
      << run.err;
  EXPECT_NE(run.err.find("invalid: 2 errors"), std::string::npos) << run.err;
  EXPECT_EQ(run.out, "");
}

TEST_F(ValidateTest, ChecksAcrossFiles) {
  std::string a = Write("a.yml", "name: web\ncontainers: {c: {image: x}}\n");
  std::string b = Write("b.yml", "name: web\ncontainers: {c: {image: y}}\n");
  CliRun run = RunCli({"validate", a, b});
  EXPECT_EQ(run.code, 1);
  EXPECT_NE(run.err.find(b + ":1:1: error: deployment name 'web' is already used at " + a + ":1"),
            std::string::npos)
      << run.err;
}

TEST_F(ValidateTest, JsonOutputIsTheNormalizedModel) {
  CliRun run = RunCli({"validate", "--output", "json", Example("web-with-service.yml")});
  ASSERT_EQ(run.code, 0) << run.err;
  nlohmann::json model = nlohmann::json::parse(run.out);
  const nlohmann::json& d = model["deployments"][0];
  EXPECT_EQ(d["name"], "web");
  EXPECT_EQ(d["replicas"], 2);
  EXPECT_EQ(d["strategy"]["maxSurge"], 1);
  const nlohmann::json& c = d["containers"][0];
  EXPECT_EQ(c["image"]["reference"], "docker.io/library/busybox:1.36");
  EXPECT_EQ(c["resources"]["limits"]["memoryBytes"], 64 << 20);
  EXPECT_EQ(c["readinessProbe"]["port"], 8080);
  EXPECT_EQ(c["livenessProbe"]["failureThreshold"], 3);
  EXPECT_EQ(c["securityContext"]["capabilities"]["drop"][0], "ALL");
  EXPECT_EQ(model["services"][0]["ports"][0]["targetPort"], "http");
}

TEST_F(ValidateTest, StrictTurnsUnknownFieldsIntoErrors) {
  std::string file = Write("typo.yml", "name: a\nreplica: 2\ncontainers: {c: {image: x}}\n");
  EXPECT_EQ(RunCli({"validate", file}).code, 0);
  CliRun strict = RunCli({"validate", "--strict", file});
  EXPECT_EQ(strict.code, 1);
  EXPECT_NE(strict.err.find(":2:1: error: replica: unknown field (did you mean 'replicas'?)"),
            std::string::npos)
      << strict.err;
}

TEST_F(ValidateTest, UsageErrorsExitTwo) {
  EXPECT_EQ(RunCli({}).code, 2);
  EXPECT_EQ(RunCli({"validate"}).code, 2);
  EXPECT_EQ(RunCli({"frobnicate"}).code, 2);
  EXPECT_EQ(RunCli({"validate", "--output", "xml", Example("paper-fig5-i2kit.yml")}).code, 2);
}

TEST_F(ValidateTest, HelpAndVersionExitZero) {
  CliRun help = RunCli({"--help"});
  EXPECT_EQ(help.code, 0);
  EXPECT_NE(help.out.find("validate"), std::string::npos);
  CliRun verb_help = RunCli({"validate", "--help"});
  EXPECT_EQ(verb_help.code, 0);
  EXPECT_NE(verb_help.out.find("--strict"), std::string::npos) << verb_help.out;
  CliRun version = RunCli({"--version"});
  EXPECT_EQ(version.code, 0);
  EXPECT_EQ(version.out.rfind("i2kit-host 0.", 0), 0u) << version.out;
}

}  // namespace
}  // namespace i2kit
