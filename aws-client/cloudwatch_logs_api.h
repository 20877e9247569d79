// The CloudWatch Logs calls i2kit makes (JSON protocol 1.1): the EC2 reporter's — a log group
// per Deployment, a stream per instance and container, and batches of events put into them —
// and deploy's search of a group for why instances failed to start.
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

// An event FilterLogEvents found, with the stream it is in.
struct FoundLogEvent {
  std::string stream;
  LogEvent event;
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
  // The group's events matching `pattern` (CloudWatch's filter syntax, e.g. "\"startup
  // FAILURE\"") from `since_ms` on, following nextToken for at most `max_pages` pages. A group
  // that does not exist fails with ResourceNotFoundException in `error`.
  Result<std::vector<FoundLogEvent>> FilterLogEvents(const std::string& group,
                                                     const std::string& pattern, int64_t since_ms,
                                                     int max_pages = 10, AwsError* error = nullptr);

 private:
  JsonClient client_;
};

}  // namespace i2kit::aws
