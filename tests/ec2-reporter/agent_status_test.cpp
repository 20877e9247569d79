#include "ec2-reporter/agent_status.h"

#include <gtest/gtest.h>

namespace i2kit::reporter {
namespace {

// What the agent's /status answers (guest-agent/pod_status.cpp ToJson), trimmed.
constexpr char kStatus[] = R"({"pod":"web","replica":0,"ready":false,"shuttingDown":false,
  "containers":[
    {"name":"nginx","state":"running","started":true,"ready":true,"restarts":0,
     "lastExitCode":null,"reason":"","startedAt":1},
    {"name":"app","state":"backoff","started":false,"ready":false,"restarts":3,
     "lastExitCode":1,"reason":"CrashLoopBackOff","startedAt":0}],
  "memory":{"totalBytes":100,"availableBytes":40,"usedBytes":60},"agent":null})";

TEST(AgentStatus, ReadsContainersAndMemory) {
  Result<AgentReport> report = ParseAgentStatus(kStatus);
  ASSERT_TRUE(report.ok()) << report.status().message();
  EXPECT_FALSE(report->ready);
  EXPECT_EQ(report->memory_used_bytes, 60);
  ASSERT_EQ(report->containers.size(), 2u);
  EXPECT_EQ(report->containers[1].name, "app");
  EXPECT_EQ(report->containers[1].restarts, 3);
  EXPECT_EQ(report->containers[1].last_exit_code, 1);
  EXPECT_FALSE(report->containers[0].last_exit_code.has_value());
}

TEST(AgentStatus, DescribesTheContainersThatAreNotReady) {
  Result<AgentReport> report = ParseAgentStatus(kStatus);
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(DescribeNotReady(*report), "app (backoff, CrashLoopBackOff, exit 1)");
}

TEST(AgentStatus, RejectsAnswersOfAnotherShape) {
  EXPECT_FALSE(ParseAgentStatus("not json").ok());
  EXPECT_FALSE(ParseAgentStatus(R"({"ready":true})").ok());
  std::string wrong_type = kStatus;
  wrong_type.replace(wrong_type.find("\"restarts\":3"), 12, "\"restarts\":\"3\"");
  EXPECT_FALSE(ParseAgentStatus(wrong_type).ok());
}

TEST(AgentStatus, ReadsTheLevelOfEachLogLineInfoWhenItSaysNone) {
  Result<LogPage> page =
      ParseLogPage(R"({"first":0,"next":3,"lines":[)"
                   R"({"seq":0,"source":"i2kit-agent","text":"web exited 1","level":"warn"},)"
                   R"({"seq":1,"source":"web/stderr","text":"GET / 200","level":"info"},)"
                   R"({"seq":2,"source":"web","text":"from an older agent"}]})");
  ASSERT_TRUE(page.ok()) << page.status().message();
  ASSERT_EQ(page->lines.size(), 3u);
  EXPECT_EQ(page->lines[0].container, "i2kit-agent");
  EXPECT_EQ(page->lines[0].level, LogLevel::kWarn);
  EXPECT_EQ(page->lines[1].container, "web");
  EXPECT_EQ(page->lines[1].level, LogLevel::kInfo);
  EXPECT_EQ(page->lines[2].level, LogLevel::kInfo);
}

}  // namespace
}  // namespace i2kit::reporter
