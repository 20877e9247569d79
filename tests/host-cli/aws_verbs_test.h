// A fixture running the AWS verbs of i2kit-host against a local AWS stand-in of its own
// (aws_stand_in.h).
#pragma once

#include <stdlib.h>

#include <string>
#include <vector>

#include "host-cli/aws_stand_in.h"
#include "host-cli/host_cli_test_util.h"

namespace i2kit {

inline std::string Example(const std::string& name) {
  return std::string(I2KIT_SOURCE_DIR) + "/examples/" + name;
}

// Runs verbs against a stand-in of the test's own, with its keys in the environment and no
// shared config files.
class AwsVerbsTest : public ManifestFilesTest {
 protected:
  void SetUp() override {
    ManifestFilesTest::SetUp();
    ASSERT_FALSE(stand_in_.url().empty()) << "the AWS stand-in did not start";
    std::string nowhere = (dir_ / "no-such-file").string();
    ::setenv("AWS_SHARED_CREDENTIALS_FILE", nowhere.c_str(), 1);
    ::setenv("AWS_CONFIG_FILE", nowhere.c_str(), 1);
    ::setenv("AWS_ACCESS_KEY_ID", AwsStandIn::kAccessKeyId, 1);
    ::setenv("AWS_SECRET_ACCESS_KEY", AwsStandIn::kSecretAccessKey, 1);
    ::unsetenv("AWS_PROFILE");
    ::unsetenv("AWS_SESSION_TOKEN");
    ::unsetenv("AWS_ENDPOINT_URL");
  }
  void TearDown() override {
    for (const char* name : {"AWS_SHARED_CREDENTIALS_FILE", "AWS_CONFIG_FILE", "AWS_ACCESS_KEY_ID",
                             "AWS_SECRET_ACCESS_KEY"}) {
      ::unsetenv(name);
    }
    ManifestFilesTest::TearDown();
  }

  // `i2kit-host VERB ARGS... --region us-east-1 --endpoint-url STAND-IN --poll-interval 0`.
  CliRun Aws(std::vector<std::string> args) {
    for (const char* extra : {"--region", "us-east-1", "--poll-interval", "0"})
      args.push_back(extra);
    args.push_back("--endpoint-url");
    args.push_back(stand_in_.url());
    return RunCli(std::move(args));
  }

  // The requests the stand-in accepted for `action`.
  std::vector<nlohmann::json> Requests(const std::string& action) {
    std::vector<nlohmann::json> found;
    for (const nlohmann::json& r : stand_in_.Requests()) {
      if (r["action"] == action) found.push_back(r);
    }
    return found;
  }

  // The stand-in's prepared account (tests/aws-stand-in/account.py): its VPC, and private
  // subnets in us-east-1a and 1b that reach the internet through a NAT gateway.
  const std::vector<std::string> kAccount = {
      "--parameter", "VpcId=vpc-0a1b2c3d4e5f60718", "--parameter",
      "InstanceSubnets=subnet-0a1b2c3d4e5f60001,subnet-0a1b2c3d4e5f60002"};
  AwsStandIn stand_in_;
};

}  // namespace i2kit
