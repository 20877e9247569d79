// The local AWS stand-in (tests/aws-stand-in/aws_stand_in.py) as a test fixture: started on a
// free port with known keys, stopped by closing its stdin, driven through its control API; and
// a fixture running the AWS verbs against it.
#pragma once

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>
#include <httplib.h>
#include <nlohmann/json.hpp>

#include <cstdio>
#include <string>
#include <vector>

#include "host-cli/host_cli_test_util.h"

namespace i2kit {

class AwsStandIn {
 public:
  static constexpr const char* kAccessKeyId = "AKIDSTANDIN";
  static constexpr const char* kSecretAccessKey = "STANDINSECRET";

  AwsStandIn() {
    int to_child[2], from_child[2];
    if (::pipe2(to_child, O_CLOEXEC) != 0 || ::pipe2(from_child, O_CLOEXEC) != 0) return;
    pid_ = ::fork();
    if (pid_ == 0) {
      ::dup2(to_child[0], 0);
      ::dup2(from_child[1], 1);
      std::string script = std::string(I2KIT_SOURCE_DIR) + "/tests/aws-stand-in/aws_stand_in.py";
      ::execlp("python3", "python3", script.c_str(), "--port", "0", "--access-key-id",
               kAccessKeyId, "--secret-access-key", kSecretAccessKey, "--region", "us-east-1",
               static_cast<char*>(nullptr));
      ::_exit(127);
    }
    ::close(to_child[0]);
    ::close(from_child[1]);
    stdin_ = to_child[1];
    FILE* out = ::fdopen(from_child[0], "r");
    char line[256] = {};
    if (out && std::fgets(line, sizeof line, out)) {
      std::string text(line);
      size_t at = text.find("http://");
      if (at != std::string::npos) url_ = text.substr(at, text.find_last_not_of("\r\n") + 1 - at);
    }
    if (out) std::fclose(out);
  }

  ~AwsStandIn() {
    if (stdin_ >= 0) ::close(stdin_);  // the stand-in exits at EOF on its stdin
    if (pid_ > 0) {
      for (int i = 0; i < 50 && ::waitpid(pid_, nullptr, WNOHANG) == 0; ++i) ::usleep(100'000);
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
  }

  // "http://127.0.0.1:PORT", or empty when it did not start.
  const std::string& url() const { return url_; }

  // POSTs a fault (see tests/aws-stand-in/README.md); true when the stand-in took it.
  bool AddFault(const nlohmann::json& fault) {
    httplib::Client client(url_);
    httplib::Result result = client.Post("/_stand-in/faults", fault.dump(), "application/json");
    return result && result->status == 200;
  }

  // Every request that passed the signature and shape checks: [{service, action, params}].
  nlohmann::json Requests() { return Get("/_stand-in/requests"); }
  nlohmann::json Stacks() { return Get("/_stand-in/stacks"); }
  // The EBS snapshots, their blocks as index -> base64 SHA-256; the registered images.
  nlohmann::json Snapshots() { return Get("/_stand-in/snapshots"); }
  nlohmann::json Images() { return Get("/_stand-in/images"); }

 private:
  nlohmann::json Get(const std::string& path) {
    httplib::Client client(url_);
    httplib::Result result = client.Get(path);
    if (!result || result->status != 200) return nullptr;
    return nlohmann::json::parse(result->body, nullptr, false);
  }

  pid_t pid_ = -1;
  int stdin_ = -1;
  std::string url_;
};

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
    for (const char* name : {"AWS_SHARED_CREDENTIALS_FILE", "AWS_CONFIG_FILE",
                             "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"}) {
      ::unsetenv(name);
    }
    ManifestFilesTest::TearDown();
  }

  // `i2kit-host VERB ARGS... --region us-east-1 --endpoint-url STAND-IN --poll-interval 0`.
  CliRun Aws(std::vector<std::string> args) {
    for (const char* extra : {"--region", "us-east-1", "--poll-interval", "0"}) args.push_back(extra);
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

  const std::vector<std::string> kAccount = {"--parameter", "VpcId=vpc-0a1b2c3d",
                                             "--parameter", "InstanceSubnets=subnet-1,subnet-2"};
  AwsStandIn stand_in_;
};

}  // namespace i2kit
