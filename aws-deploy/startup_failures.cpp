#include "aws-deploy/startup_failures.h"

#include <algorithm>

#include "common/ec2_logs.h"

namespace i2kit {

Result<std::vector<std::string>> StartupFailureReasons(aws::CloudWatchLogsClient& logs,
                                                       const std::string& stack,
                                                       const std::vector<std::string>& deployments,
                                                       std::chrono::sys_seconds began) {
  int64_t since_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                         (began - std::chrono::minutes(1)).time_since_epoch())
                         .count();
  struct Reason {
    int64_t timestamp_ms;
    std::string line;
  };
  std::vector<Reason> reasons;
  const std::string suffix = std::string("/") + ec2_logs::kReporterStream;
  for (const std::string& deployment : deployments) {
    aws::AwsError error;
    Result<std::vector<aws::FoundLogEvent>> found =
        logs.FilterLogEvents(ec2_logs::LogGroupName(stack, deployment),
                             ec2_logs::kStartupFailurePattern, since_ms, 10, &error);
    if (!found.ok() && error.code == "ResourceNotFoundException") continue;
    if (!found.ok()) return found.status();
    for (const aws::FoundLogEvent& f : *found) {
      // Only the reporter's own stream: a container may print the phrase too.
      if (!f.stream.ends_with(suffix)) continue;
      // The reporter writes JSON lines (ec2_logs.h); the reason is in their "message".
      const std::string message = ec2_logs::TextOfLogMessage(f.event.message);
      size_t at = message.find(ec2_logs::kStartupFailurePrefix);
      if (at == std::string::npos) continue;
      std::string instance = f.stream.substr(0, f.stream.size() - suffix.size());
      reasons.push_back(
          {f.event.timestamp_ms, "instance " + instance + " (" + deployment + "): " +
                                     message.substr(at + std::char_traits<char>::length(
                                                             ec2_logs::kStartupFailurePrefix))});
    }
  }
  std::stable_sort(reasons.begin(), reasons.end(), [](const Reason& a, const Reason& b) {
    return a.timestamp_ms < b.timestamp_ms;
  });
  std::vector<std::string> lines;
  for (Reason& r : reasons) lines.push_back(std::move(r.line));
  return lines;
}

}  // namespace i2kit
