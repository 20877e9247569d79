// When a Pod cannot recover: a container restarted more than `limit` times within `window`.
// Crash loops and liveness failures both show this way, since the agent kills a container
// whose liveness probe fails past its threshold and then restarts it. The machine is then
// replaced (immutable infrastructure), not repaired in place. Pure, time given by the caller.
#pragma once

#include <chrono>
#include <deque>
#include <map>
#include <optional>
#include <string>

#include "ec2-reporter/agent_status.h"
#include "ec2-reporter/startup_signal.h"

namespace i2kit::reporter {

class RestartWatch {
 public:
  // `earlier_count` says what restarts made before the first look are: recent (the reporter
  // started with the Pod) or of unknown age (it was restarted later, the VM up longer than the
  // window), in which case they are not counted, lest an old history replace a healthy machine.
  RestartWatch(int limit, std::chrono::seconds window, bool earlier_count = true)
      : limit_(limit), window_(window), earlier_count_(earlier_count) {}

  // Takes the restart counts of `report`, seen at `now`; the reason the Pod cannot recover
  // ("container web restarted 6 times in 600 s, limit 5"), or nullopt.
  std::optional<std::string> Observe(const AgentReport& report, Clock::time_point now);

 private:
  struct Seen {
    int last_count = 0;
    std::deque<Clock::time_point> restarts;  // when each restart was first seen, oldest first
  };
  int limit_;
  std::chrono::seconds window_;
  bool earlier_count_;
  std::map<std::string, Seen> containers_;
};

}  // namespace i2kit::reporter
