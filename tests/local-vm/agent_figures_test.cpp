#include "local-vm/agent_figures.h"

#include <gtest/gtest.h>

namespace i2kit {
namespace {

TEST(AgentFiguresTest, ReadsReadinessRestartsCpuAndMemoryFromStatus) {
  std::optional<AgentFigures> figures = AgentFiguresFromStatus(R"({
    "pod": "web", "replica": 0, "ready": false,
    "initContainers": [{"name": "prepare", "state": "terminated", "ready": false, "restarts": 2}],
    "containers": [{"name": "web", "state": "running", "ready": true, "restarts": 1},
                   {"name": "cache", "state": "backOff", "ready": false, "restarts": 4}],
    "memory": {"totalBytes": 67108864, "usedBytes": 24117248},
    "cpu": {"percent": 3.5}})");
  ASSERT_TRUE(figures.has_value());
  ASSERT_EQ(figures->containers.size(), 2u);
  EXPECT_EQ(figures->containers[1].name, "cache");
  EXPECT_EQ(figures->containers[1].state, "backOff");
  EXPECT_EQ(figures->containers[1].restarts, 4);
  EXPECT_EQ(figures->ready_containers(), 1);
  EXPECT_EQ(figures->restarts, 7);
  EXPECT_EQ(FormatMebibytes(figures->memory_used_bytes), "23Mi");
  EXPECT_EQ(FormatMebibytes(figures->memory_total_bytes), "64Mi");
  EXPECT_EQ(FormatCpu(figures->cpu_percent), "3.5%");
}

TEST(AgentFiguresTest, CpuIsUnknownUntilTheAgentMeasuredIt) {
  std::optional<AgentFigures> figures =
      AgentFiguresFromStatus(R"({"containers": [], "cpu": {"percent": null}})");
  ASSERT_TRUE(figures.has_value());
  EXPECT_EQ(FormatCpu(figures->cpu_percent), "-");
}

TEST(AgentFiguresTest, AnythingElseIsNoStatus) {
  EXPECT_FALSE(AgentFiguresFromStatus("<html>").has_value());
  EXPECT_FALSE(AgentFiguresFromStatus(R"({"containers": 3})").has_value());
}

}  // namespace
}  // namespace i2kit
