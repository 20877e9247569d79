#include "ec2-reporter/log_queue.h"

#include <gtest/gtest.h>

#include "common/ec2_logs.h"

namespace i2kit::reporter {
namespace {

TEST(LogQueue, BatchesOneContainerAtATimeInOrder) {
  LogQueue queue(1 << 20);
  queue.Push("web", {1, "a"});
  queue.Push("db", {2, "b"});
  queue.Push("web", {3, "c"});
  LogBatch batch = queue.NextBatch();
  EXPECT_EQ(batch.container, "web");
  ASSERT_EQ(batch.events.size(), 2u);
  EXPECT_EQ(batch.events[1].message, "c");
  queue.Remove(batch);
  batch = queue.NextBatch();
  EXPECT_EQ(batch.container, "db");
  queue.Remove(batch);
  EXPECT_TRUE(queue.empty());
  EXPECT_EQ(queue.size_bytes(), 0u);
}

TEST(LogQueue, KeepsTimestampsFromGoingBackwards) {
  LogQueue queue(1 << 20);
  queue.Push("web", {100, "a"});
  queue.Push("web", {90, "b"});  // the clock stepped back
  LogBatch batch = queue.NextBatch();
  EXPECT_EQ(batch.events[1].timestamp_ms, 100);
}

TEST(LogQueue, BatchesStopAtTenThousandEvents) {
  LogQueue queue(64 << 20);
  for (int i = 0; i < 10001; ++i) queue.Push("web", {i, "x"});
  EXPECT_EQ(queue.NextBatch().events.size(), aws::kMaxLogEventsPerPut);
}

TEST(LogQueue, BatchesStopAtOneMebibyteCountingTheOverhead) {
  LogQueue queue(64 << 20);
  std::string line(1000, 'x');
  for (int i = 0; i < 2000; ++i) queue.Push("web", {i, line});
  LogBatch batch = queue.NextBatch();
  // 1022 × (1000 + 26) = 1 048 572 bytes; one more would pass 1 048 576.
  EXPECT_EQ(batch.events.size(), 1022u);
}

TEST(LogQueue, DropsTheOldestLinesAndCountsThem) {
  LogQueue queue(/*capacity_bytes=*/30);
  for (int i = 0; i < 10; ++i) queue.Push("web", {i, "line " + std::to_string(i)});
  queue.AddDropped(2);
  EXPECT_LE(queue.size_bytes(), 30u);
  size_t dropped = queue.TakeDropped();
  EXPECT_EQ(dropped, 10 - 3 + 2u);  // three lines of 9 bytes fit in 30
  // The notice comes first, on its own stream, then the newest lines.
  LogBatch notice = queue.NextBatch();
  EXPECT_EQ(notice.container, kDroppedNoticeStream);
  EXPECT_EQ(notice.notice_of_dropped, dropped);
  EXPECT_EQ(ec2_logs::TextOfLogMessage(notice.events[0].message).substr(0, 16), "dropped 9 lines ");
  queue.Remove(notice);
  LogBatch batch = queue.NextBatch();
  ASSERT_FALSE(batch.events.empty());
  EXPECT_EQ(batch.events.back().message, "line 9");
  EXPECT_EQ(queue.TakeDropped(), 0u);
}

TEST(LogQueue, CutsAnEventAboveCloudWatchsLimit) {
  LogQueue queue(1 << 20);
  queue.Push("web", {1, std::string(300000, 'z')});
  EXPECT_EQ(queue.NextBatch().events[0].message.size(), LogQueue::kMaxMessageBytes);
}

TEST(LogQueueTest, MessagesAreJsonLinesForLogsInsights) {
  std::string line = ec2_logs::JsonLogMessage("info", 1796621401123, "web", "GET / \"x\" \xff");
  EXPECT_EQ(line,
            R"({"level":"info","time":"2026-12-07T05:30:01.123Z","container":"web",)"
            R"("message":"GET / \"x\" )"
            "\xef\xbf\xbd"
            R"("})");  // U+FFFD
  EXPECT_EQ(ec2_logs::TextOfLogMessage(line), "GET / \"x\" \xef\xbf\xbd");
  EXPECT_EQ(ec2_logs::TextOfLogMessage("plain text"), "plain text");
}

}  // namespace
}  // namespace i2kit::reporter
