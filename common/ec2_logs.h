// Where a Pod VM on EC2 puts its output in CloudWatch Logs, as the EC2 reporter (which writes
// there), the template (whose instance role allows it) and deploy (which reads why instances
// failed to start) agree. One place, so that they cannot drift apart.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace i2kit::ec2_logs {

// The log group of a deployment: /i2kit/STACK/DEPLOYMENT.
inline std::string LogGroupName(std::string_view stack, std::string_view deployment) {
  return "/i2kit/" + std::string(stack) + "/" + std::string(deployment);
}

// A container's stream, INSTANCE/CONTAINER; the reporter's own lines (the startup failure,
// notices of lost lines) go to INSTANCE/kReporterStream.
inline std::string StreamName(std::string_view instance_id, std::string_view container) {
  return std::string(instance_id) + "/" + std::string(container);
}
inline constexpr char kReporterStream[] = "i2kit-ec2-reporter";

// CloudFormation's SignalResource carries no reason, so before a FAILURE signal the reporter
// puts "startup FAILURE: REASON" in its stream, and deploy looks for the phrase.
inline constexpr char kStartupFailurePrefix[] = "startup FAILURE: ";
inline constexpr char kStartupFailurePattern[] = "\"startup FAILURE\"";

// One CloudWatch Logs message as a JSON object, so that Logs Insights finds its fields:
// {"level":"info","time":"2026-12-07T05:40:01.123Z","container":"web","message":"GET / 200"}.
// `container` is the source: a container, the agent ("i2kit-agent") or the reporter itself.
// A message beyond 32 KiB is cut there; bytes that are not UTF-8 become U+FFFD.
std::string JsonLogMessage(std::string_view level, int64_t unix_ms, std::string_view container,
                           std::string_view message);

// The "message" of a JSON log message, or `message` itself when it is not one.
std::string TextOfLogMessage(const std::string& message);

}  // namespace i2kit::ec2_logs
