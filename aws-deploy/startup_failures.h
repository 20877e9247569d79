// Why the instances of a failed rollout did not start. CloudFormation's event says only that a
// group received FAILURE signals, or none in time; the EC2 reporter puts its reason in
// CloudWatch Logs before it signals (common/ec2_logs.h), and deploy shows those lines.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "aws-client/cloudwatch_logs_api.h"

namespace i2kit {

// The reporters' startup failures in the deployments' log groups since a minute before `began`
// (the instances' clocks are not the host's), one line each, oldest first: "instance i-0abc
// (web): not ready: web (backoff, CrashLoopBackOff, exit 1)". A deployment without a log group
// (no instance got as far as logging) adds nothing.
Result<std::vector<std::string>> StartupFailureReasons(aws::CloudWatchLogsClient& logs,
                                                       const std::string& stack,
                                                       const std::vector<std::string>& deployments,
                                                       std::chrono::sys_seconds began);

}  // namespace i2kit
