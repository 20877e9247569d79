// The CloudWatch Logs calls the EC2 reporter makes (JSON protocol 1.1): a log group per
// Deployment, a stream per instance and container, and batches of events put into them.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "aws-client/json_client.h"

namespace i2kit::aws {

struct LogEvent {
  int64_t timestamp_ms = 0;  // milliseconds since the Unix epoch
  std::string message;
};

// PutLogEvents' limits (the API reference): events per call, and bytes per call counting each
// event's message in UTF-8 plus 26 bytes.
inline constexpr size_t kMaxLogEventsPerPut = 10000;
inline constexpr size_t kMaxLogBytesPerPut = 1048576;
inline constexpr size_t kLogEventOverheadBytes = 26;

class CloudWatchLogsClient {
 public:
  explicit CloudWatchLogsClient(const ClientContext& context);

  // Creates the group or the stream; one that exists already (ResourceAlreadyExistsException)
  // is success. `error` receives AWS's error of a failure.
  Status CreateLogGroup(const std::string& group, AwsError* error = nullptr);
  Status CreateLogStream(const std::string& group, const std::string& stream,
                         AwsError* error = nullptr);
  // Puts `events` (in time order, within the limits above) into the stream. A group or stream
  // that does not exist fails with ResourceNotFoundException in `error`.
  Status PutLogEvents(const std::string& group, const std::string& stream,
                      const std::vector<LogEvent>& events, AwsError* error = nullptr);

 private:
  JsonClient client_;
};

}  // namespace i2kit::aws
