#include "guest-agent/log_buffer.h"

#include <gtest/gtest.h>

namespace i2kit {
namespace {

using Lines = std::vector<std::string>;

TEST(LogBufferTest, PrefixesCompleteLinesAndHoldsPartialOnes) {
  LogBuffer buffer;
  EXPECT_EQ(buffer.Append("web", "GET / 200\nGET /x"), Lines{"web: GET / 200"});
  EXPECT_EQ(buffer.Append("web", " 404\r\n"), Lines{"web: GET /x 404"});
  EXPECT_EQ(buffer.Append("db", "ready"), Lines{});
  EXPECT_EQ(buffer.Flush("db"), Lines{"db: ready"});
  EXPECT_EQ(buffer.Lines(), (Lines{"web: GET / 200", "web: GET /x 404", "db: ready"}));
  EXPECT_EQ(buffer.Lines("web", 1), Lines{"web: GET /x 404"});
}

TEST(LogBufferTest, DropsTheOldestLinesBeyondItsCapacity) {
  LogBuffer buffer(/*capacity_bytes=*/40);
  for (int i = 0; i < 10; ++i) buffer.Append("c", "line " + std::to_string(i) + "\n");
  EXPECT_LE(buffer.size_bytes(), 40u);
  EXPECT_EQ(buffer.Lines().back(), "c: line 9");
  EXPECT_EQ(buffer.dropped_lines() + buffer.Lines().size(), 10u);
  EXPECT_GT(buffer.dropped_lines(), 0u);
}

TEST(LogBufferTest, CutsOverlongLines) {
  LogBuffer buffer(1024, /*max_line=*/8);
  EXPECT_EQ(buffer.Append("c", std::string(100, 'x') + "\n"), Lines{"c: xxxxxxxx"});
}

TEST(LogBufferTest, NumbersLinesSoAReaderCanFollowThem) {
  LogBuffer buffer(/*capacity_bytes=*/30);
  buffer.Append("a", "one\ntwo\n");
  buffer.Append("a/stderr", "three\n");
  EXPECT_EQ(buffer.next_sequence(), 3u);
  std::vector<LogBuffer::SequencedLine> from_one = buffer.LinesFrom(1, 10);
  ASSERT_EQ(from_one.size(), 2u);
  EXPECT_EQ(from_one[0].sequence, 1u);
  EXPECT_EQ(from_one[0].text, "two");
  EXPECT_EQ(from_one[1].source, "a/stderr");
  EXPECT_EQ(from_one[1].text, "three");
  EXPECT_EQ(buffer.LinesFrom(0, 1).size(), 1u);
  buffer.Append("a", "four five six seven\n");  // pushes the oldest lines out
  EXPECT_GT(buffer.first_sequence(), 0u);
  EXPECT_EQ(buffer.first_sequence() + buffer.Lines().size(), buffer.next_sequence());
  EXPECT_EQ(buffer.LinesFrom(0, 10).front().sequence, buffer.first_sequence());
}

TEST(LogBufferTest, EscapesControlBytesSoALineCannotForgeAnother) {
  LogBuffer buffer;
  EXPECT_EQ(buffer.Append("web", "x\ri2kit-agent: pod ready\n"),
            Lines{"web: x\\ri2kit-agent: pod ready"});
  EXPECT_EQ(buffer.Append("web", "\x1b[1Ai2kit-agent: pod ready\r\n"),
            Lines{"web: \\e[1Ai2kit-agent: pod ready"});
}

TEST(LogBufferTest, KeepsOnlyTheLinesItsAdmissionTakes) {
  LogBuffer buffer;
  int offered = 0;
  auto every_other = [&] { return offered++ % 2 == 0; };
  EXPECT_EQ(buffer.Append("yes", "y\ny\ny\ny\n", every_other), (Lines{"yes: y", "yes: y"}));
  EXPECT_EQ(buffer.Lines().size(), 2u);
  EXPECT_EQ(buffer.next_sequence(), 2u);
}

TEST(LogBufferTest, KeepsTheLevelOfTheAgentsOwnLinesAndInfoForContainerOutput) {
  LogBuffer buffer;
  buffer.Append("i2kit-agent", "web exited 1; restarting in 10 s\n", {}, LogLevel::kWarn);
  buffer.Append("web", "GET / 200\npartial");
  buffer.Flush("web");
  std::vector<LogBuffer::SequencedLine> lines = buffer.LinesFrom(0, 10);
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(lines[0].level, LogLevel::kWarn);
  EXPECT_EQ(lines[0].text, "web exited 1; restarting in 10 s");
  EXPECT_EQ(lines[1].level, LogLevel::kInfo);
  EXPECT_EQ(lines[2].level, LogLevel::kInfo);
}

}  // namespace
}  // namespace i2kit
