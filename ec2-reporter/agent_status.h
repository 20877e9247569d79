// What the reporter reads from the agent's health endpoint (guest-agent/health_http.h): GET
// /status, the Pod's containers and memory as JSON (guest-agent/pod_status.cpp ToJson), and
// GET /logs?since=N, the containers' output line by line. The
// reporter is a client of that endpoint, so that the agent (PID 1) carries no TLS or AWS code.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "aws-client/http_transport.h"
#include "common/log_level.h"
#include "common/status.h"

namespace i2kit::reporter {

struct ContainerReport {
  std::string name;
  std::string state;  // waiting, running, backoff, terminated
  bool ready = false;
  int restarts = 0;
  std::string reason;  // CrashLoopBackOff, StartError, …
  std::optional<int> last_exit_code;
};

struct AgentReport {
  bool ready = false;  // every container runs and is ready
  bool shutting_down = false;
  std::vector<ContainerReport> containers;
  int64_t memory_used_bytes = 0;
};

// Parses the body of GET /status; fails naming the first missing or mistyped field.
Result<AgentReport> ParseAgentStatus(std::string_view json);

// "web (backoff, CrashLoopBackOff, exit 1), db (running, not ready)": the containers that keep
// the Pod from being ready, for the reporter's log lines.
std::string DescribeNotReady(const AgentReport& report);

// A page of the containers' output from GET /logs?since=N (guest-agent/health_http.cpp).
struct LogLine {
  std::string container;  // "web" for the agent's sources "web" and "web/stderr"
  std::string text;
  // The agent's level for its own events ("level" in /logs); container output is info, as is
  // a line of an agent that does not say.
  LogLevel level = LogLevel::kInfo;
};
struct LogPage {
  uint64_t first = 0;  // the oldest line the agent still holds: lines below it are lost
  uint64_t next = 0;   // where the next page starts
  std::vector<LogLine> lines;
};

// Parses the body of GET /logs?since=N; fails naming what is missing.
Result<LogPage> ParseLogPage(std::string_view json);

// The agent's endpoint, over plain HTTP (it listens on the VM's loopback too).
class AgentClient {
 public:
  // `transport` is borrowed.
  AgentClient(aws::HttpTransport& transport, aws::ServiceEndpoint endpoint);

  // GET /status, parsed; fails with the transport's error or the HTTP status.
  Result<AgentReport> Status();
  // GET /logs?since=`since`, parsed.
  Result<LogPage> LogsFrom(uint64_t since);

 private:
  // The body of a 200 answer to GET `path`.
  Result<std::string> Get(const std::string& path);

  aws::HttpTransport& transport_;
  aws::ServiceEndpoint endpoint_;
};

}  // namespace i2kit::reporter
