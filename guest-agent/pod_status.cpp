#include "guest-agent/pod_status.h"

#include <charconv>

namespace i2kit {

const char* ContainerStateName(ContainerState s) {
  switch (s) {
    case ContainerState::kWaiting:
      return "waiting";
    case ContainerState::kRunning:
      return "running";
    case ContainerState::kBackOff:
      return "backoff";
    case ContainerState::kTerminated:
      return "terminated";
  }
  return "?";
}

Result<MemoryUsage> ParseMeminfo(std::string_view text) {
  MemoryUsage usage;
  bool have_total = false, have_available = false;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    std::string_view line = text.substr(start, end == std::string_view::npos ? end : end - start);
    start = end == std::string_view::npos ? text.size() : end + 1;
    size_t colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    std::string_view key = line.substr(0, colon);
    std::string_view rest = line.substr(colon + 1);
    size_t digits = rest.find_first_of("0123456789");
    if (digits == std::string_view::npos) continue;
    int64_t kib = 0;
    auto [ptr, ec] = std::from_chars(rest.data() + digits, rest.data() + rest.size(), kib);
    if (ec != std::errc()) continue;
    if (key == "MemTotal") usage.total_bytes = kib * 1024, have_total = true;
    if (key == "MemAvailable") usage.available_bytes = kib * 1024, have_available = true;
  }
  if (!have_total || !have_available) {
    return Status::Error("/proc/meminfo: MemTotal or MemAvailable missing");
  }
  return usage;
}

bool PodStatus::Ready() const {
  if (shutting_down || containers.empty()) return false;
  for (const ContainerStatus& c : containers) {
    if (c.state != ContainerState::kRunning || !c.ready) return false;
  }
  return true;
}

nlohmann::ordered_json PodStatus::ToJson() const {
  nlohmann::ordered_json list = nlohmann::ordered_json::array();
  for (const ContainerStatus& c : containers) {
    list.push_back({{"name", c.name},
                    {"state", ContainerStateName(c.state)},
                    {"started", c.started},
                    {"ready", c.ready},
                    {"restarts", c.restarts},
                    {"lastExitCode", c.last_exit_code ? nlohmann::ordered_json(*c.last_exit_code)
                                                      : nlohmann::ordered_json(nullptr)},
                    {"reason", c.reason},
                    {"startedAt", c.started_at_unix}});
  }
  return {{"pod", pod},
          {"replica", replica},
          {"ready", Ready()},
          {"shuttingDown", shutting_down},
          {"containers", list},
          {"memory",
           {{"totalBytes", memory.total_bytes},
            {"availableBytes", memory.available_bytes},
            {"usedBytes", memory.used_bytes()}}}};
}

}  // namespace i2kit
