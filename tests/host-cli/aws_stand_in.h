// The local AWS stand-in (tests/aws-stand-in/aws_stand_in.py) as a test fixture: started on a
// free port with known keys, stopped by closing its stdin, driven through its control API.
#pragma once

#include <fcntl.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "aws-client/signed_call.h"

namespace i2kit {

class AwsStandIn {
 public:
  static constexpr const char* kAccessKeyId = "AKIDSTANDIN";
  static constexpr const char* kSecretAccessKey = "STANDINSECRET";

  // With `session_token`, the stand-in accepts only requests carrying it (temporary
  // credentials, as an instance role's).
  explicit AwsStandIn(std::string session_token = "") : session_token_(session_token) {
    int to_child[2], from_child[2];
    if (::pipe2(to_child, O_CLOEXEC) != 0 || ::pipe2(from_child, O_CLOEXEC) != 0) return;
    std::string script = std::string(I2KIT_SOURCE_DIR) + "/tests/aws-stand-in/aws_stand_in.py";
    std::vector<const char*> argv = {
        "python3",    script.c_str(),        "--port",         "0",        "--access-key-id",
        kAccessKeyId, "--secret-access-key", kSecretAccessKey, "--region", "us-east-1"};
    if (!session_token.empty()) {
      argv.push_back("--session-token");
      argv.push_back(session_token.c_str());
    }
    argv.push_back(nullptr);
    pid_ = ::fork();
    if (pid_ == 0) {
      ::dup2(to_child[0], 0);
      ::dup2(from_child[1], 1);
      ::execvp("python3", const_cast<char* const*>(argv.data()));
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

  // A client context that reaches the stand-in with its keys, through `transport`, on the
  // system clock.
  aws::ClientContext Context(aws::HttpTransport& transport, aws::RetryPolicy& policy) const {
    aws::ClientContext context;
    context.credentials = {kAccessKeyId, kSecretAccessKey, session_token_, std::nullopt};
    context.region = "us-east-1";
    Result<aws::ServiceEndpoint> endpoint = aws::ParseEndpointUrl(url_);
    if (endpoint.ok()) context.endpoint_override = *endpoint;
    context.transport = &transport;
    context.retry_policy = &policy;
    context.now = aws::SystemNow;
    context.sleep = aws::SleepFor;
    context.consistency.interval = std::chrono::milliseconds(0);  // a new resource: no waiting
    return context;
  }

  // POSTs a fault (see tests/aws-stand-in/README.md); true when the stand-in took it.
  bool AddFault(const nlohmann::json& fault) {
    httplib::Client client(url_);
    httplib::Result result = client.Post("/_stand-in/faults", fault.dump(), "application/json");
    return result && result->status == 200;
  }

  // Sets one of the stand-in's strict modes (tests/aws-stand-in/README.md): "consistency"
  // {"unknown_for": N}, "clock" {"skew_seconds": S}, "policy" (an IAM policy document, or
  // null); true when the stand-in took it.
  bool SetMode(const std::string& mode, const nlohmann::json& value) {
    httplib::Client client(url_);
    httplib::Result result = client.Post("/_stand-in/" + mode, value.dump(), "application/json");
    return result && result->status == 200;
  }

  // Every request that passed the signature and shape checks: [{service, action, params}].
  nlohmann::json Requests() { return Get("/_stand-in/requests"); }
  nlohmann::json Stacks() { return Get("/_stand-in/stacks"); }
  // The EBS snapshots, their blocks as index -> base64 SHA-256; the registered images.
  nlohmann::json Snapshots() { return Get("/_stand-in/snapshots"); }
  nlohmann::json Images() { return Get("/_stand-in/images"); }
  // Every CloudWatch data point received: [{namespace, name, dimensions, value, unit}].
  nlohmann::json Metrics() { return Get("/_stand-in/metrics"); }
  // The CloudWatch Logs groups: {group: {stream: [{timestamp, message}]}}.
  nlohmann::json Logs() { return Get("/_stand-in/logs"); }
  // The S3 buckets: {name: {owner, settings…, objects: {key: size}}}.
  nlohmann::json Buckets() { return Get("/_stand-in/buckets"); }

 private:
  std::string session_token_;
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

}  // namespace i2kit
