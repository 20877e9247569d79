// The agent's one-shot Secrets fetch through the EC2 reporter: a stand-in reporter (a script
// that checks how it was started) answers on the pipe, or fails.
#include "guest-agent/ec2_reporter_launch.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <string>

#include "common/text_file.h"
#include "guest-agent/container_runtime.h"

namespace i2kit {
namespace {

class Ec2SecretsFetchTest : public testing::Test {
 protected:
  void SetUp() override {
    if (::geteuid() != 0) GTEST_SKIP() << "running as the reporter's uid needs root";
    char dir[] = "/tmp/ec2-secrets-test-XXXXXX";
    ASSERT_NE(::mkdtemp(dir), nullptr);
    dir_ = dir;
    ASSERT_EQ(::chmod(dir, 0755), 0);  // the reporter's uid must reach its binary
    files_.binary = dir_ + "/reporter";
    files_.ca_file = dir_ + "/ca.pem";
  }
  void TearDown() override {
    if (!dir_.empty()) std::system(("rm -rf " + dir_).c_str());
  }
  void Reporter(const std::string& body) {
    ASSERT_TRUE(WriteTextFile(files_.binary, "#!/bin/sh\n" + body).ok());
    ASSERT_EQ(::chmod(files_.binary.c_str(), 0755), 0);
  }

  std::string dir_;
  Ec2ReporterFiles files_;
};

TEST_F(Ec2SecretsFetchTest, TheReporterRunsOnceInSecretsModeAsItsOwnUidAndItsStdoutIsTheValue) {
  const std::string uid = std::to_string(kEc2ReporterIdentity.uid);
  Reporter(
      "[ \"$1\" = secrets ] || exit 3\n"
      "[ \"$2 $3\" = '--metadata-url http://169.254.169.254/' ] || exit 4\n"
      "[ \"$4 $5\" = '--ca-bundle " +
      files_.ca_file +
      "' ] || exit 5\n"
      "[ \"$(id -u)\" = " +
      uid +
      " ] || exit 6\n"
      "echo 'a line for the console' >&2\n"
      "printf '%s' '{\"secrets\":[{\"name\":\"db\",\"data\":{\"k\":\"dg==\"}}]}'\n");
  Result<std::string> value = FetchEc2DeploymentSecrets(files_, "169.254.169.254", LogLevel::kInfo);
  ASSERT_TRUE(value.ok()) << value.status().message();
  EXPECT_EQ(*value, R"({"secrets":[{"name":"db","data":{"k":"dg=="}}]})");
}

TEST_F(Ec2SecretsFetchTest, AReporterThatFailsGivesItsExitCodeAndNotWhatItPrinted) {
  Reporter("printf 'half-a-value'\nexit 1\n");
  Result<std::string> value = FetchEc2DeploymentSecrets(files_, "169.254.169.254", LogLevel::kInfo);
  ASSERT_FALSE(value.ok());
  EXPECT_NE(value.status().message().find("exited with 1"), std::string::npos)
      << value.status().message();
  EXPECT_EQ(value.status().message().find("half-a-value"), std::string::npos);
}

TEST(AttachedVolumesTest, EachLineIsAVolumeNameAndItsDisksSerial) {
  Result<std::map<std::string, std::string>> serials =
      ParseAttachedVolumes("data vol0123456789abcdef0\nwal vol1a2b3c4d\n");
  ASSERT_TRUE(serials.ok()) << serials.status().message();
  EXPECT_EQ(*serials, (std::map<std::string, std::string>{{"data", "vol0123456789abcdef0"},
                                                          {"wal", "vol1a2b3c4d"}}));
  EXPECT_TRUE(ParseAttachedVolumes("")->empty());
  EXPECT_FALSE(ParseAttachedVolumes("data vol0123 extra\n").ok());
}

}  // namespace
}  // namespace i2kit
