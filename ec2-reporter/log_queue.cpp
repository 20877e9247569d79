#include "ec2-reporter/log_queue.h"

#include <algorithm>
#include <utility>

namespace i2kit::reporter {

void LogQueue::Push(const std::string& container, aws::LogEvent event) {
  if (event.message.size() > kMaxMessageBytes) event.message.resize(kMaxMessageBytes);
  event.timestamp_ms = std::max(event.timestamp_ms, last_timestamp_ms_);
  last_timestamp_ms_ = event.timestamp_ms;
  lines_.push_back({container, std::move(event)});
  bytes_ += Cost(lines_.back());
  while (bytes_ > capacity_ && !lines_.empty()) {
    bytes_ -= Cost(lines_.front());
    lines_.pop_front();
    AddDropped(1);
  }
}

void LogQueue::AddDropped(size_t lines) {
  dropped_ += lines;
  unshipped_notice_ += lines;
}

size_t LogQueue::TakeDropped() {
  return std::exchange(dropped_, 0);
}

LogBatch LogQueue::NextBatch() const {
  LogBatch batch;
  if (unshipped_notice_ > 0) {
    batch.container = kDroppedNoticeStream;
    batch.notice_of_dropped = unshipped_notice_;
    batch.events.push_back(
        {last_timestamp_ms_,
         ec2_logs::JsonLogMessage(
             "warn", last_timestamp_ms_, kDroppedNoticeStream,
             "dropped " + std::to_string(unshipped_notice_) +
                 " lines of container output: CloudWatch Logs was slow or failing, "
                 "or the agent's buffer overran")});
    return batch;
  }
  if (lines_.empty()) return batch;
  batch.container = lines_.front().container;
  size_t bytes = 0;
  for (const Line& line : lines_) {
    if (line.container != batch.container) continue;
    size_t cost = line.event.message.size() + aws::kLogEventOverheadBytes;
    if (batch.events.size() == aws::kMaxLogEventsPerPut || bytes + cost > aws::kMaxLogBytesPerPut) {
      break;
    }
    bytes += cost;
    batch.events.push_back(line.event);
  }
  return batch;
}

void LogQueue::Remove(const LogBatch& batch) {
  if (batch.notice_of_dropped > 0) {
    unshipped_notice_ -= std::min(unshipped_notice_, batch.notice_of_dropped);
    return;
  }
  // The batch is the first events.size() lines of its container, in queue order.
  size_t left = batch.events.size();
  std::deque<Line> kept;
  for (Line& line : lines_) {
    if (left > 0 && line.container == batch.container) {
      --left;
      bytes_ -= Cost(line);
    } else {
      kept.push_back(std::move(line));
    }
  }
  lines_ = std::move(kept);
}

}  // namespace i2kit::reporter
