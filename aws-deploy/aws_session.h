// What the AWS verbs (push, deploy, diff, status, delete) share: the --profile, --region and
// --endpoint-url options, and the clients they open — credentials and region resolved as the
// AWS CLI does, one transport and one retry policy for the whole command.
#pragma once

#include <CLI/CLI.hpp>
#include <iosfwd>
#include <memory>
#include <string>

#include "aws-client/autoscaling_api.h"
#include "aws-client/cloudformation_api.h"
#include "aws-deploy/httplib_transport.h"
#include "aws-deploy/stack_rollout.h"

namespace i2kit {

struct AwsOptions {
  std::string profile;
  std::string region;
  std::string endpoint_url;  // else AWS_ENDPOINT_URL, else each service's regional endpoint
  double poll_interval_seconds = 5;
};

// Declares --profile, --region, --endpoint-url and --poll-interval on `sub`.
void AddAwsOptions(CLI::App& sub, AwsOptions& options);

// How often a verb looks at a stack in progress, and how it waits in between.
RolloutTiming PollTiming(const AwsOptions& options);

class AwsSession {
 public:
  // Resolves credentials and region; fails saying where they may be set. Retries are told to
  // `notices` as they happen.
  static Result<std::unique_ptr<AwsSession>> Open(const AwsOptions& options, std::ostream& notices);

  aws::CloudFormationClient& cloudformation() { return cloudformation_; }
  aws::AutoScalingClient& autoscaling() { return autoscaling_; }
  const std::string& region() const { return context_.region; }
  // For clients a verb makes itself (the AMI upload's); valid while the session lives.
  const aws::ClientContext& context() const { return context_; }
  // A new transport like the session's, for another thread.
  static std::unique_ptr<aws::HttpTransport> NewTransport();

 private:
  AwsSession(aws::ClientContext context);
  HttplibTransport transport_;
  aws::RetryPolicy retry_policy_;
  aws::ClientContext context_;
  aws::CloudFormationClient cloudformation_;
  aws::AutoScalingClient autoscaling_;
};

// An AwsSession opened on first use: deploy and diff need AWS only once the manifests are
// known good, for the AMIs of deployments given no --ami, then for the stack.
class LazyAwsSession {
 public:
  // `options` and `notices` are borrowed and outlive this.
  LazyAwsSession(const AwsOptions& options, std::ostream& notices)
      : options_(options), notices_(notices) {}

  // The session, opened by the first call that succeeds; valid while this lives.
  Result<AwsSession*> Get();

 private:
  const AwsOptions& options_;
  std::ostream& notices_;
  std::unique_ptr<AwsSession> session_;
};

}  // namespace i2kit
