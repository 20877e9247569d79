// The containers' output waiting for CloudWatch Logs, bounded in bytes: when the logs endpoint
// is slow or failing the oldest lines go first, and the queue counts them so the reporter can
// say so. It never blocks anyone: the agent keeps its own bounded buffer and the reporter
// reads it at its own pace. Batches follow PutLogEvents' limits. Pure.
#pragma once

#include <cstddef>
#include <deque>
#include <string>
#include <vector>

#include "aws-client/cloudwatch_logs_api.h"
#include "common/ec2_logs.h"

namespace i2kit::reporter {

struct LogBatch {
  std::string container;              // one stream per container: every event of a batch is its
  std::vector<aws::LogEvent> events;  // oldest first, timestamps never decreasing
  size_t notice_of_dropped = 0;       // a notice of that many lost lines, not container output
};

// The stream name ("container") under which notices of lost lines go: the reporter's own.
inline constexpr const char* kDroppedNoticeStream = ec2_logs::kReporterStream;

class LogQueue {
 public:
  // CloudWatch's limit on one event: 256 KiB, its 26 bytes of overhead included.
  static constexpr size_t kMaxMessageBytes = 262144 - aws::kLogEventOverheadBytes;

  explicit LogQueue(size_t capacity_bytes) : capacity_(capacity_bytes) {}

  // Appends a line of `container`, cut to kMaxMessageBytes; its timestamp is raised to the previous
  // line's if it is earlier (the clock stepped back), so batches stay in time order. Drops the
  // oldest lines while the queue holds more than its capacity.
  void Push(const std::string& container, aws::LogEvent event);
  // Counts lines lost before they reached the queue (the agent's buffer overran).
  void AddDropped(size_t lines);
  // The lines dropped since the last call, for the reporter's own log; starts counting again.
  size_t TakeDropped();

  // First, while lines were lost and not yet said so in CloudWatch, a notice of how many for
  // the kDroppedNoticeStream stream (outside the capacity: it cannot push lines out). Else the
  // oldest line's container and as many of its lines, oldest first, as one PutLogEvents takes
  // (10 000 events, 1 MiB counting 26 bytes an event). Empty when there is nothing.
  LogBatch NextBatch() const;
  // Removes the lines of `batch` (the one NextBatch gave, once it was put).
  void Remove(const LogBatch& batch);

  bool empty() const { return lines_.empty() && unshipped_notice_ == 0; }
  size_t size_bytes() const { return bytes_; }

 private:
  struct Line {
    std::string container;
    aws::LogEvent event;
  };
  static size_t Cost(const Line& line) { return line.event.message.size() + line.container.size(); }

  size_t capacity_;
  size_t bytes_ = 0;
  size_t dropped_ = 0;           // for TakeDropped
  size_t unshipped_notice_ = 0;  // for the next notice batch
  int64_t last_timestamp_ms_ = 0;
  std::deque<Line> lines_;
};

}  // namespace i2kit::reporter
