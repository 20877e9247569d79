#include "ec2-reporter/restart_watch.h"

namespace i2kit::reporter {

std::optional<std::string> RestartWatch::Observe(const AgentReport& report, Clock::time_point now) {
  std::optional<std::string> verdict;
  for (const ContainerReport& c : report.containers) {
    auto [it, first_look] = containers_.try_emplace(c.name);
    Seen& seen = it->second;
    // Restarts before the reporter first looked count as happening now, when they may.
    if (first_look && !earlier_count_) seen.last_count = c.restarts;
    for (int i = seen.last_count; i < c.restarts; ++i) seen.restarts.push_back(now);
    seen.last_count = c.restarts;
    while (!seen.restarts.empty() && now - seen.restarts.front() > window_) {
      seen.restarts.pop_front();
    }
    int recent = static_cast<int>(seen.restarts.size());
    if (recent > limit_ && !verdict) {
      verdict = "container " + c.name + " restarted " + std::to_string(recent) + " times in " +
                std::to_string(window_.count()) + " s, limit " + std::to_string(limit_);
    }
  }
  return verdict;
}

}  // namespace i2kit::reporter
