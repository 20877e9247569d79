// What `ps` shows of a running replica, read from its agent's GET /status (guest-agent/
// pod_status.h): its containers' readiness and restarts, the guest's memory in use and its CPU
// use over the agent's last few seconds.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace i2kit {

struct AgentFigures {
  struct Container {
    std::string name;
    std::string state;  // waiting, running, backOff, terminated
    bool ready = false;
    int restarts = 0;
  };
  std::vector<Container> containers;  // the app containers, in the Pod's order
  int restarts = 0;                   // of every container, init containers and sidecars too
  int64_t memory_used_bytes = 0;      // MemTotal less MemAvailable
  int64_t memory_total_bytes = 0;
  std::optional<double> cpu_percent;  // of one CPU; unset until the agent has measured it

  int ready_containers() const;
};

// Reads /status's JSON; nullopt when it is not what the agent answers.
std::optional<AgentFigures> AgentFiguresFromStatus(std::string_view json);

// "1.5%"; "-" when unknown.
std::string FormatCpu(const std::optional<double>& percent);
// Bytes as ps shows them: "23Mi".
std::string FormatMebibytes(int64_t bytes);

}  // namespace i2kit
