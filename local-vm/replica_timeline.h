// One replica's boot timeline (boot_timeline.h), put together from what the host recorded in
// its state dir and what its agent answers on GET /status.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "local-vm/boot_timeline.h"

namespace i2kit {

// An agent's GET /status answer and when the host received it (host CLOCK_REALTIME, seconds).
struct AgentStatusAnswer {
  std::string body;
  double received = 0;
};

// GET /status from the agent forwarded to 127.0.0.1:`agent_port`; nullopt if it did not answer
// 200 within `timeout`.
std::optional<AgentStatusAnswer> FetchAgentStatus(int agent_port,
                                                  std::chrono::milliseconds timeout);

// The timeline of the replica whose state dir is `replica_dir`: the host's marks there merged
// with the guest's from `status`, if the agent answered. Empty when the host recorded none
// (a replica started before timelines were).
std::vector<TimelineMark> ReplicaTimeline(const std::string& replica_dir,
                                          const std::optional<AgentStatusAnswer>& status);

}  // namespace i2kit
