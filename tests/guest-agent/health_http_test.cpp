#include "guest-agent/health_http.h"

#include <gtest/gtest.h>

namespace i2kit {
namespace {

PodStatus ReadyPod() {
  PodStatus pod;
  pod.pod = "web";
  pod.containers.push_back({"httpd", ContainerState::kRunning, true, true, 2, 1, "", 100});
  pod.memory = {64 << 20, 48 << 20};
  return pod;
}

TEST(HealthHttpTest, HealthzAnswersWhileTheAgentRuns) {
  PodStatus pod;
  EXPECT_EQ(HandleHealthRequest("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n", pod).status, 200);
}

TEST(HealthHttpTest, ReadyzFollowsEveryContainer) {
  PodStatus pod = ReadyPod();
  EXPECT_EQ(HandleHealthRequest("GET /readyz HTTP/1.1\r\n\r\n", pod).status, 200);
  EXPECT_EQ(HandleHealthRequest("GET /readyz?verbose HTTP/1.0\r\n\r\n", pod).status, 200);
  pod.containers[0].ready = false;
  EXPECT_EQ(HandleHealthRequest("GET /readyz HTTP/1.1\r\n\r\n", pod).status, 503);
  pod = ReadyPod();
  pod.shutting_down = true;  // a draining Pod leaves the load balancer
  EXPECT_EQ(HandleHealthRequest("GET /readyz HTTP/1.1\r\n\r\n", pod).status, 503);
  EXPECT_EQ(HandleHealthRequest("GET /readyz HTTP/1.1\r\n\r\n", PodStatus{}).status, 503);
}

TEST(HealthHttpTest, StatusIsJsonWithMemoryAndRestarts) {
  HttpResponse response = HandleHealthRequest("GET /status HTTP/1.1\r\n\r\n", ReadyPod());
  ASSERT_EQ(response.status, 200);
  EXPECT_EQ(response.content_type, "application/json");
  nlohmann::json json = nlohmann::json::parse(response.body);
  EXPECT_EQ(json["containers"][0]["restarts"], 2);
  EXPECT_EQ(json["containers"][0]["state"], "running");
  EXPECT_EQ(json["memory"]["usedBytes"], 16 << 20);
  EXPECT_EQ(json["ready"], true);
  EXPECT_TRUE(json["agent"].is_null());  // not read yet
}

TEST(HealthHttpTest, StatusShowsTheAgentsConfinement) {
  PodStatus pod = ReadyPod();
  pod.agent = AgentConfinement{"000000000000a4fb", 2, false};
  nlohmann::json json =
      nlohmann::json::parse(HandleHealthRequest("GET /status HTTP/1.1\r\n\r\n", pod).body);
  EXPECT_EQ(json["agent"]["capBnd"], "000000000000a4fb");
  EXPECT_EQ(json["agent"]["seccomp"], 2);
  EXPECT_EQ(json["agent"]["noNewPrivs"], false);
}

TEST(HealthHttpTest, LogsServesTheBufferedLinesOfOneOrEveryContainer) {
  LogBuffer logs(60);  // 64 bytes of lines: the oldest one gets dropped
  logs.Append("web", "started\n");
  logs.Append("web/stderr", "GET / 200\n");
  logs.Append("db", "ready to accept connections\n");
  HttpResponse all = HandleHealthRequest("GET /logs HTTP/1.1\r\n\r\n", ReadyPod(), &logs);
  ASSERT_EQ(all.status, 200);
  EXPECT_EQ(all.content_type, "text/plain");
  EXPECT_EQ(all.body,
            "(1 older lines dropped)\nweb/stderr: GET / 200\ndb: ready to accept connections\n");
  HttpResponse web =
      HandleHealthRequest("GET /logs?container=web HTTP/1.1\r\n\r\n", ReadyPod(), &logs);
  EXPECT_EQ(web.body, "(1 older lines dropped)\nweb/stderr: GET / 200\n");
  EXPECT_EQ(HandleHealthRequest("GET /logs?tail=5 HTTP/1.1\r\n\r\n", ReadyPod(), &logs).status,
            400);
  EXPECT_EQ(HandleHealthRequest("GET /logs HTTP/1.1\r\n\r\n", ReadyPod()).body, "");
}

TEST(HealthHttpTest, LogsSinceFollowsTheLinesByNumberAndShowsWhatWasMissed) {
  LogBuffer logs(60);
  logs.Append("web", "started\n");                     // 0, dropped below
  logs.Append("web/stderr", "GET / 200\n");            // 1
  logs.Append("db", "ready to accept connections\n");  // 2
  HttpResponse from_zero =
      HandleHealthRequest("GET /logs?since=0 HTTP/1.1\r\n\r\n", ReadyPod(), &logs);
  ASSERT_EQ(from_zero.status, 200);
  EXPECT_EQ(from_zero.content_type, "application/json");
  nlohmann::json json = nlohmann::json::parse(from_zero.body);
  EXPECT_EQ(json["first"], 1);  // line 0 is gone: a reader from 0 missed one line
  EXPECT_EQ(json["next"], 3);
  ASSERT_EQ(json["lines"].size(), 2u);
  EXPECT_EQ(json["lines"][0],
            nlohmann::json(
                {{"seq", 1}, {"source", "web/stderr"}, {"text", "GET / 200"}, {"level", "info"}}));
  EXPECT_EQ(json["lines"][1]["seq"], 2);
  nlohmann::json caught_up = nlohmann::json::parse(
      HandleHealthRequest("GET /logs?since=3 HTTP/1.1\r\n\r\n", ReadyPod(), &logs).body);
  EXPECT_EQ(caught_up["next"], 3);
  EXPECT_TRUE(caught_up["lines"].empty());
  logs.Append("db", "\xff not UTF-8\n");
  nlohmann::json replaced = nlohmann::json::parse(
      HandleHealthRequest("GET /logs?since=3 HTTP/1.1\r\n\r\n", ReadyPod(), &logs).body);
  EXPECT_EQ(replaced["lines"][0]["text"], "\xef\xbf\xbd not UTF-8");
  EXPECT_EQ(HandleHealthRequest("GET /logs?since=x HTTP/1.1\r\n\r\n", ReadyPod(), &logs).status,
            400);
  nlohmann::json ahead = nlohmann::json::parse(
      HandleHealthRequest("GET /logs?since=99 HTTP/1.1\r\n\r\n", ReadyPod(), &logs).body);
  EXPECT_EQ(ahead["next"], 4);
}

TEST(HealthHttpTest, LogsSinceGivesTheAgentsOwnLinesTheirLevel) {
  LogBuffer logs;
  logs.Append("i2kit-agent", "web exited 1; restarting in 10 s\n", {}, LogLevel::kWarn);
  logs.Append("i2kit-agent", "pod ready\n", {}, LogLevel::kInfo);
  logs.Append("web", "GET / 200\n");
  nlohmann::json json = nlohmann::json::parse(
      HandleHealthRequest("GET /logs?since=0 HTTP/1.1\r\n\r\n", ReadyPod(), &logs).body);
  ASSERT_EQ(json["lines"].size(), 3u);
  EXPECT_EQ(json["lines"][0]["level"], "warn");
  EXPECT_EQ(json["lines"][0]["source"], "i2kit-agent");
  EXPECT_EQ(json["lines"][1]["level"], "info");
  EXPECT_EQ(json["lines"][2]["level"], "info");
}

TEST(HealthHttpTest, RefusesEverythingElse) {
  PodStatus pod;
  EXPECT_EQ(HandleHealthRequest("POST /healthz HTTP/1.1\r\n\r\n", pod).status, 405);
  EXPECT_EQ(HandleHealthRequest("GET /etc/passwd HTTP/1.1\r\n\r\n", pod).status, 404);
  EXPECT_EQ(HandleHealthRequest("garbage\r\n\r\n", pod).status, 400);
  EXPECT_EQ(HandleHealthRequest("", pod).status, 400);
  EXPECT_EQ(HandleHealthRequest("GET /" + std::string(5000, 'a') + " HTTP/1.1\r\n\r\n", pod).status,
            431);
}

TEST(HealthHttpTest, HeadOmitsTheBody) {
  std::string wire = HandleHealthRequest("HEAD /healthz HTTP/1.1\r\n\r\n", PodStatus{}).Serialize();
  EXPECT_EQ(wire,
            "HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 3\r\nConnection: "
            "close\r\n\r\n");
}

TEST(HealthHttpTest, KnowsWhenAHeadIsComplete) {
  EXPECT_FALSE(HasCompleteRequestHead("GET /healthz HTTP/1.1\r\nHost: a\r\n"));
  EXPECT_TRUE(HasCompleteRequestHead("GET /healthz HTTP/1.1\r\nHost: a\r\n\r\n"));
}

TEST(PodStatusTest, ParsesMeminfo) {
  Result<MemoryUsage> usage = ParseMeminfo(
      "MemTotal:          61820 kB\nMemFree:           50000 kB\nMemAvailable:      48000 kB\n");
  ASSERT_TRUE(usage.ok());
  EXPECT_EQ(usage->total_bytes, 61820LL * 1024);
  EXPECT_EQ(usage->used_bytes(), (61820LL - 48000) * 1024);
  EXPECT_FALSE(ParseMeminfo("MemTotal: 1 kB\n").ok());
}

TEST(PodStatusTest, ParsesTheCpuLineOfProcStat) {
  Result<CpuTimes> times =
      ParseProcStat("cpu  100 5 30 800 20 3 2 1 0 0\ncpu0 100 5 30 800 20 3 2 1 0 0\n");
  ASSERT_TRUE(times.ok()) << times.status().message();
  EXPECT_EQ(times->busy_ticks, 100 + 5 + 30 + 3 + 2 + 1);
  EXPECT_EQ(times->total_ticks, 141 + 800 + 20);
  EXPECT_FALSE(ParseProcStat("intr 1 2 3\n").ok());
  EXPECT_FALSE(ParseProcStat("cpu  1 2 3\n").ok());
}

TEST(PodStatusTest, CpuPercentIsOfOneCpuOverTheInterval) {
  CpuTimes before{100, 1000};
  CpuTimes after{150, 1200};  // 50 of 200 ticks busy
  EXPECT_DOUBLE_EQ(*CpuPercent(before, after, 1), 25.0);
  EXPECT_DOUBLE_EQ(*CpuPercent(before, after, 2), 50.0);  // of all CPUs' ticks, 2 CPUs
  EXPECT_FALSE(CpuPercent(after, after, 1).has_value());
}

TEST(PodStatusTest, StatusShowsTheCpuUseOnceMeasured) {
  PodStatus status;
  EXPECT_TRUE(status.ToJson()["cpu"]["percent"].is_null());
  status.cpu_percent = 12.34;
  EXPECT_DOUBLE_EQ(status.ToJson()["cpu"]["percent"].get<double>(), 12.3);
}

TEST(PodStatusTest, NamesWhereTheUsedMemoryGoes) {
  Result<MemoryUsage> usage = ParseMeminfo(
      "MemTotal:          49940 kB\nMemFree:           17308 kB\nMemAvailable:      30944 kB\n"
      "Buffers:              20 kB\nCached:            23288 kB\nSwapCached:            0 kB\n"
      "Active:            14860 kB\nAnonPages:           264 kB\nShmem:              7760 kB\n"
      "KReclaimable:        576 kB\nSlab:               4736 kB\nSReclaimable:        576 kB\n"
      "SUnreclaim:         4160 kB\nKernelStack:         592 kB\nPageTables:           64 kB\n"
      "SecPageTables:         0 kB\nVmallocTotal:   34359738367 kB\nVmallocUsed:         496 kB\n"
      "Percpu:              180 kB\n");
  ASSERT_TRUE(usage.ok());
  EXPECT_EQ(usage->shmem_bytes, 7760LL * 1024);
  EXPECT_EQ(usage->slab_unreclaimable_bytes, 4160LL * 1024);
  EXPECT_EQ(usage->vmalloc_bytes, 496LL * 1024);
  // 49940 - (17308 + 20 + 23288 + 264 + 4736 + 592 + 64 + 496 + 180)
  EXPECT_EQ(usage->uncounted_bytes, 2992LL * 1024);
}

TEST(PodStatusTest, ParsesTheAgentsConfinementFromProcStatus) {
  Result<AgentConfinement> agent = ParseAgentConfinement(
      "Name:\tinit\nCapInh:\t0000000000000000\nCapBnd:\t00000000a80c25fb\n"
      "NoNewPrivs:\t0\nSeccomp:\t2\nSeccomp_filters:\t1\n");
  ASSERT_TRUE(agent.ok()) << agent.status().message();
  EXPECT_EQ(agent->cap_bnd, "00000000a80c25fb");
  EXPECT_EQ(agent->seccomp, 2);
  EXPECT_FALSE(agent->no_new_privs);
  EXPECT_FALSE(ParseAgentConfinement("CapBnd:\t00000000a80c25fb\nNoNewPrivs:\t0\n").ok());
}

TEST(PodStatusTest, ABootMarkKeepsItsFirstTime) {
  PodStatus pod;
  pod.Mark("container-started:web", {1.5, 100.5});
  pod.Mark("container-started:web", {9.0, 108.0});  // a restart
  ASSERT_EQ(pod.boot.size(), 1u);
  EXPECT_EQ(pod.boot[0].at.boottime, 1.5);
  nlohmann::ordered_json json = pod.ToJson()["boot"]["marks"];
  EXPECT_EQ(json.dump(), R"([{"phase":"container-started:web","boottime":1.5,"realtime":100.5}])");
}

TEST(HealthHttpTest, AReadyzMayAskToWaitForReadinessUpToAMinute) {
  EXPECT_EQ(ReadinessWait("GET /readyz?wait=5 HTTP/1.0\r\n\r\n"), std::chrono::seconds(5));
  EXPECT_EQ(ReadinessWait("GET /readyz?wait=3600 HTTP/1.0\r\n\r\n"), kMaxReadyWait);
  EXPECT_EQ(ReadinessWait("GET /readyz HTTP/1.0\r\n\r\n"), std::nullopt);
  EXPECT_EQ(ReadinessWait("GET /readyz?wait=0 HTTP/1.0\r\n\r\n"), std::nullopt);
  EXPECT_EQ(ReadinessWait("GET /readyz?wait=5x HTTP/1.0\r\n\r\n"), std::nullopt);
  EXPECT_EQ(ReadinessWait("GET /status?wait=5 HTTP/1.0\r\n\r\n"), std::nullopt);
  // Answered as a plain /readyz once its wait is over.
  EXPECT_EQ(HandleHealthRequest("GET /readyz?wait=5 HTTP/1.0\r\n\r\n", PodStatus{}).status, 503);
}

}  // namespace
}  // namespace i2kit
