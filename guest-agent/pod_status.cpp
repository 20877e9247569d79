#include "guest-agent/pod_status.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <ctime>

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

namespace {

// Calls `field(key, value)` for every "Key: value" line of a /proc file, value trimmed.
template <typename Field>
void ForEachProcField(std::string_view text, Field field) {
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    std::string_view line = text.substr(start, end == std::string_view::npos ? end : end - start);
    start = end == std::string_view::npos ? text.size() : end + 1;
    size_t colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    std::string_view value = line.substr(colon + 1);
    size_t first = value.find_first_not_of(" \t");
    value = first == std::string_view::npos ? std::string_view() : value.substr(first);
    field(line.substr(0, colon), value);
  }
}

// The leading decimal number of `value`, if it has one.
template <typename Int>
bool ParseLeadingNumber(std::string_view value, Int& out) {
  auto [ptr, ec] = std::from_chars(value.data(), value.data() + value.size(), out);
  return ec == std::errc() && ptr != value.data();
}

}  // namespace

Result<MemoryUsage> ParseMeminfo(std::string_view text) {
  MemoryUsage usage;
  bool have_total = false, have_available = false;
  int64_t counted = 0;
  ForEachProcField(text, [&](std::string_view key, std::string_view value) {
    int64_t kib = 0;
    if (!ParseLeadingNumber(value, kib)) return;
    int64_t bytes = kib * 1024;
    if (key == "MemTotal") usage.total_bytes = bytes, have_total = true;
    if (key == "MemAvailable") usage.available_bytes = bytes, have_available = true;
    if (key == "Shmem") usage.shmem_bytes = bytes;
    if (key == "SUnreclaim") usage.slab_unreclaimable_bytes = bytes;
    if (key == "VmallocUsed") usage.vmalloc_bytes = bytes;
    // Disjoint counters that together name the pages the kernel knows the use of (Cached
    // includes Shmem; Slab is SReclaimable + SUnreclaim).
    for (std::string_view name : {"MemFree", "Buffers", "Cached", "AnonPages", "Slab",
                                  "KernelStack", "PageTables", "VmallocUsed", "Percpu"}) {
      if (key == name) counted += bytes;
    }
  });
  if (!have_total || !have_available) {
    return Status::Error("/proc/meminfo: MemTotal or MemAvailable missing");
  }
  usage.uncounted_bytes = usage.total_bytes - counted;
  return usage;
}

Result<AgentConfinement> ParseAgentConfinement(std::string_view proc_status) {
  AgentConfinement agent;
  bool have_bounding = false, have_nnp = false, have_seccomp = false;
  ForEachProcField(proc_status, [&](std::string_view key, std::string_view value) {
    int number = 0;
    if (key == "CapBnd") agent.cap_bnd = std::string(value), have_bounding = !value.empty();
    if (key == "NoNewPrivs" && ParseLeadingNumber(value, number)) {
      agent.no_new_privs = number != 0, have_nnp = true;
    }
    if (key == "Seccomp" && ParseLeadingNumber(value, number)) {
      agent.seccomp = number, have_seccomp = true;
    }
  });
  if (!have_bounding || !have_nnp || !have_seccomp) {
    return Status::Error("/proc/self/status: CapBnd, NoNewPrivs or Seccomp missing");
  }
  return agent;
}

namespace {

bool RunningAndReady(const ContainerStatus& c) {
  return c.state == ContainerState::kRunning && c.ready;
}

// An init container is done once it exited 0; a sidecar never is, it must run and be ready.
bool InitDone(const ContainerStatus& c) {
  if (c.sidecar) return RunningAndReady(c);
  return c.state == ContainerState::kTerminated && c.last_exit_code == 0;
}

// "web: Running, not ready", "prepare: CrashLoopBackOff, exit code 1, 2 restarts".
std::string Describe(const ContainerStatus& c) {
  std::string text = c.name + ": " + ContainerStateName(c.state);
  if (!c.reason.empty()) text += " (" + c.reason + ")";
  if (c.state == ContainerState::kRunning && !c.started) text += ", not started";
  if (c.state == ContainerState::kRunning && c.started && !c.ready) text += ", not ready";
  if (c.state != ContainerState::kRunning && c.last_exit_code) {
    text += ", exit code " + std::to_string(*c.last_exit_code);
  }
  if (c.restarts > 0) text += ", " + std::to_string(c.restarts) + " restarts";
  return text;
}

nlohmann::ordered_json ContainersJson(const std::vector<ContainerStatus>& containers) {
  nlohmann::ordered_json list = nlohmann::ordered_json::array();
  for (const ContainerStatus& c : containers) {
    nlohmann::ordered_json probes = nlohmann::ordered_json::array();
    for (const ProbeStatus& p : c.probes) {
      probes.push_back({{"type", p.type},
                        {"action", p.action},
                        {"successes", p.successes},
                        {"failures", p.failures}});
    }
    nlohmann::ordered_json item = {{"name", c.name}};
    if (c.sidecar) item["sidecar"] = true;
    item.update(nlohmann::ordered_json{
        {"state", ContainerStateName(c.state)},
        {"started", c.started},
        {"ready", c.ready},
        {"restarts", c.restarts},
        {"lastExitCode", c.last_exit_code ? nlohmann::ordered_json(*c.last_exit_code)
                                          : nlohmann::ordered_json(nullptr)},
        {"reason", c.reason},
        {"startedAt", c.started_at_unix},
        {"probes", probes}});
    list.push_back(std::move(item));
  }
  return list;
}

}  // namespace

GuestClock ReadGuestClock() {
  auto seconds = [](clockid_t id) {
    timespec t{};
    ::clock_gettime(id, &t);
    return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_nsec) / 1e9;
  };
  return {seconds(CLOCK_BOOTTIME), seconds(CLOCK_REALTIME)};
}

namespace {

const GuestClock kProgramStart = ReadGuestClock();

}  // namespace

GuestClock ProgramStartClock() {
  return kProgramStart;
}

void PodStatus::Mark(std::string_view phase, GuestClock at) {
  for (const BootMark& m : boot) {
    if (m.phase == phase) return;
  }
  boot.push_back({std::string(phase), at});
}

bool PodStatus::Ready() const {
  return NotReadyReason().empty();
}

std::string PodStatus::NotReadyReason() const {
  if (shutting_down) return "shutting down";
  if (containers.empty()) return "no containers";
  for (const ContainerStatus& c : init_containers) {
    if (!InitDone(c)) return (c.sidecar ? "sidecar container " : "init container ") + Describe(c);
  }
  for (const ContainerStatus& c : containers) {
    if (!RunningAndReady(c)) return "container " + Describe(c);
  }
  return "";
}

Result<CpuTimes> ParseProcStat(std::string_view text) {
  if (!text.starts_with("cpu ")) return Status::Error("/proc/stat: no \"cpu\" line first");
  std::string_view line = text.substr(4, text.find('\n') - 4);
  std::vector<int64_t> fields;
  while (!line.empty()) {
    while (!line.empty() && line.front() == ' ') line.remove_prefix(1);
    if (line.empty()) break;
    int64_t value = 0;
    auto [end, error] = std::from_chars(line.data(), line.data() + line.size(), value);
    if (error != std::errc()) return Status::Error("/proc/stat: bad \"cpu\" line");
    fields.push_back(value);
    line.remove_prefix(static_cast<size_t>(end - line.data()));
  }
  // user nice system idle iowait irq softirq steal [guest guest_nice, already in user and nice]
  if (fields.size() < 8) return Status::Error("/proc/stat: \"cpu\" line has too few fields");
  CpuTimes times;
  times.busy_ticks = fields[0] + fields[1] + fields[2] + fields[5] + fields[6] + fields[7];
  times.total_ticks = times.busy_ticks + fields[3] + fields[4];
  return times;
}

std::optional<double> CpuPercent(const CpuTimes& before, const CpuTimes& after, int cpus) {
  int64_t total = after.total_ticks - before.total_ticks;
  if (total <= 0) return std::nullopt;
  double busy = static_cast<double>(after.busy_ticks - before.busy_ticks);
  return 100.0 * busy / static_cast<double>(total) * std::max(cpus, 1);
}

nlohmann::ordered_json PodStatus::ToJson() const {
  std::string not_ready = NotReadyReason();
  nlohmann::ordered_json marks = nlohmann::ordered_json::array();
  for (const BootMark& m : boot) {
    marks.push_back({{"phase", m.phase}, {"boottime", m.at.boottime}, {"realtime", m.at.realtime}});
  }
  return {{"pod", pod},
          {"replica", replica},
          {"ready", not_ready.empty()},
          {"notReadyReason", not_ready},
          {"shuttingDown", shutting_down},
          {"initContainers", ContainersJson(init_containers)},
          {"containers", ContainersJson(containers)},
          {"memory",
           {{"totalBytes", memory.total_bytes},
            {"availableBytes", memory.available_bytes},
            {"usedBytes", memory.used_bytes()},
            {"shmemBytes", memory.shmem_bytes},
            {"slabUnreclaimableBytes", memory.slab_unreclaimable_bytes},
            {"vmallocBytes", memory.vmalloc_bytes},
            {"uncountedBytes", memory.uncounted_bytes}}},
          {"cpu",
           {{"percent", cpu_percent ? nlohmann::ordered_json(std::round(*cpu_percent * 10) / 10)
                                    : nlohmann::ordered_json(nullptr)}}},
          {"agent", agent ? nlohmann::ordered_json{{"capBnd", agent->cap_bnd},
                                                   {"seccomp", agent->seccomp},
                                                   {"noNewPrivs", agent->no_new_privs}}
                          : nlohmann::ordered_json(nullptr)},
          {"boot", {{"boottime", clock.boottime}, {"realtime", clock.realtime}, {"marks", marks}}}};
}

}  // namespace i2kit
