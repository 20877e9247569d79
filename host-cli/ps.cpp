// i2kit-host ps [DEPLOYMENT] [-w]: the Pod VMs this user runs locally, one line per replica, with
// their state (starting, booting, ready, unready, exited), their containers' readiness and
// restarts, the guest's CPU and memory use (agent_figures.h), QEMU's pid, age and ports (with
// -o json also its boot timeline, replica_timeline.h); -w redraws it every 2 s until Ctrl-C.
#include <poll.h>

#include <ctime>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <ostream>
#include <sstream>

#include "common/event_log.h"
#include "common/pod_vm.h"
#include "host-cli/command.h"
#include "local-cluster/controller_files.h"
#include "local-cluster/signal_watch.h"
#include "local-vm/agent_figures.h"
#include "local-vm/console_log.h"
#include "local-vm/readiness.h"
#include "local-vm/replica_timeline.h"
#include "local-vm/state_dir.h"

namespace i2kit {
namespace {

constexpr std::chrono::milliseconds kReadyCheckTimeout{300};

struct PsOptions {
  std::string deployment;
  std::string output = "text";
  bool watch = false;
};

constexpr int kWatchIntervalMs = 2000;

struct Row {
  const ReplicaEntry* entry;
  std::string state;
  int64_t age_seconds = 0;
  const ControllerStatus* controller = nullptr;  // when a controller runs its deployment
  std::optional<AgentFigures> figures;           // what its agent said, if it did
  std::vector<TimelineMark> timeline;            // its boot (replica_timeline.h)
};

// A running replica's agent's GET /status.
std::optional<AgentStatusAnswer> FetchStatus(const ReplicaEntry& entry) {
  if (entry.state != ReplicaState::kRunning || !entry.record) return std::nullopt;
  return FetchAgentStatus(entry.record->agent_port, kReadyCheckTimeout);
}

// The statuses of the controllers that run now, by deployment.
std::map<std::string, ControllerStatus> ControllerStatuses(
    const StateDir& state, const std::vector<ReplicaEntry>& entries) {
  std::map<std::string, ControllerStatus> statuses;
  for (const ReplicaEntry& entry : entries) {
    if (statuses.count(entry.deployment) || !ControllerRuns(state, entry.deployment)) continue;
    Result<std::string> text = ReadLogTail(ControllerStatusPath(state, entry.deployment), 1 << 20);
    if (!text.ok()) continue;
    if (Result<ControllerStatus> status = ControllerStatusFromJson(*text); status.ok()) {
      statuses.emplace(entry.deployment, std::move(status).value());
    }
  }
  return statuses;
}

// What the controller says of a replica, if it runs the deployment and knows the replica.
std::optional<std::string> ControllerState(const ControllerStatus* status, int replica) {
  if (status == nullptr) return std::nullopt;
  for (const ControllerStatus::Replica& member : status->members) {
    if (member.replica == replica) return member.state;
  }
  return std::nullopt;
}

// The ports a user connects to: the controller's balancers when it runs, else the VM's own.
std::string PortsText(const Row& row) {
  std::string ports;
  if (row.controller != nullptr) {
    for (const ControllerStatus::Port& p : row.controller->ports) {
      if (!p.published) continue;
      ports += (ports.empty() ? "" : ",") + std::string("127.0.0.1:") +
               std::to_string(p.host_port) + "->" + std::to_string(p.container_port) + "/tcp";
    }
    return ports;
  }
  if (row.entry->record) {
    for (const PublishedPort& p : row.entry->record->ports) {
      ports += (ports.empty() ? "" : ",") + FormatPublishedPort(p);
    }
  }
  return ports;
}

// A running VM is ready while its agent answers /readyz with 200, unready while it answers
// otherwise, booting while it does not answer. Never read from the console, which the
// containers' output shares.
std::string LiveState(const ReplicaEntry& entry) {
  switch (entry.state) {
    case ReplicaState::kStarting:
      return "starting";
    case ReplicaState::kExited:
      return "exited";
    case ReplicaState::kRunning:
      break;
  }
  std::optional<bool> ready = AgentReadiness(entry.record->agent_port, kReadyCheckTimeout);
  if (!ready) return "booting";
  return *ready ? "ready" : "unready";
}

std::string FormatAge(int64_t seconds) {
  if (seconds < 60) return std::to_string(seconds) + "s";
  if (seconds < 3600)
    return std::to_string(seconds / 60) + "m" + std::to_string(seconds % 60) + "s";
  if (seconds < 86400) {
    return std::to_string(seconds / 3600) + "h" + std::to_string(seconds / 60 % 60) + "m";
  }
  return std::to_string(seconds / 86400) + "d" + std::to_string(seconds / 3600 % 24) + "h";
}

void PrintTable(const std::vector<Row>& rows, std::ostream& out) {
  std::vector<std::vector<std::string>> cells = {
      {"NAME", "STATE", "READY", "RESTARTS", "CPU", "MEM", "PID", "AGE", "ACCEL", "PORTS"}};
  for (const Row& row : rows) {
    const std::optional<ReplicaRecord>& r = row.entry->record;
    const std::optional<AgentFigures>& f = row.figures;
    std::string ports = PortsText(row);
    cells.push_back(
        {row.entry->name(), row.state,
         f ? std::to_string(f->ready_containers()) + "/" + std::to_string(f->containers.size())
           : "-",
         f ? std::to_string(f->restarts) : "-", f ? FormatCpu(f->cpu_percent) : "-",
         f ? FormatMebibytes(f->memory_used_bytes) + "/" + FormatMebibytes(f->memory_total_bytes)
           : "-",
         r ? std::to_string(r->pid) : "-", r ? FormatAge(row.age_seconds) : "-",
         r ? r->accelerator : "-", ports.empty() ? "-" : ports});
  }
  std::vector<size_t> widths(cells.front().size(), 0);
  for (const auto& line : cells) {
    for (size_t i = 0; i < line.size(); ++i) widths[i] = std::max(widths[i], line[i].size());
  }
  for (const auto& line : cells) {
    std::string text;
    for (size_t i = 0; i < line.size(); ++i) {
      text += line[i];
      if (i + 1 < line.size()) text += std::string(widths[i] - line[i].size() + 3, ' ');
    }
    out << text << "\n";
  }
}

void PrintJson(const std::vector<Row>& rows, std::ostream& out) {
  nlohmann::ordered_json list = nlohmann::ordered_json::array();
  for (const Row& row : rows) {
    const ReplicaEntry& e = *row.entry;
    nlohmann::ordered_json item = {{"name", e.name()},
                                   {"deployment", e.deployment},
                                   {"replica", e.replica},
                                   {"state", row.state},
                                   {"stateDir", e.dir}};
    if (e.record) {
      const ReplicaRecord& r = *e.record;
      nlohmann::ordered_json ports = nlohmann::ordered_json::array();
      for (const PublishedPort& p : r.ports) {
        ports.push_back({{"hostIP", "127.0.0.1"},
                         {"hostPort", p.host_port},
                         {"containerPort", p.container_port},
                         {"protocol", PortProtocolName(p.protocol)}});
      }
      item["pid"] = r.pid;
      item["restarts"] = row.figures ? nlohmann::ordered_json(row.figures->restarts)
                                     : nlohmann::ordered_json(nullptr);
      if (row.figures) {
        const AgentFigures& f = *row.figures;
        nlohmann::ordered_json containers = nlohmann::ordered_json::array();
        for (const AgentFigures::Container& c : f.containers) {
          containers.push_back(
              {{"name", c.name}, {"state", c.state}, {"ready", c.ready}, {"restarts", c.restarts}});
        }
        item["containers"] = containers;
        item["cpuPercent"] = f.cpu_percent ? nlohmann::ordered_json(*f.cpu_percent)
                                           : nlohmann::ordered_json(nullptr);
        item["memoryUsedBytes"] = f.memory_used_bytes;
        item["memoryTotalBytes"] = f.memory_total_bytes;
      }
      item["ageSeconds"] = row.age_seconds;
      item["accelerator"] = r.accelerator;
      item["ports"] = ports;
      item["agentPort"] = r.agent_port;
      item["artifactsDir"] = r.artifacts_dir;
      item["imageDigest"] = r.image_digest;
    }
    item["timeline"] = TimelineToJson(row.timeline);
    if (row.controller != nullptr) {
      nlohmann::ordered_json balanced = nlohmann::ordered_json::array();
      for (const ControllerStatus::Port& p : row.controller->ports) {
        balanced.push_back({{"hostIP", "127.0.0.1"},
                            {"hostPort", p.host_port},
                            {"containerPort", p.container_port},
                            {"published", p.published}});
      }
      item["balancedPorts"] = balanced;
      item["replacements"] = row.controller->replacements;
      item["current"] = e.record && e.record->image_digest == row.controller->image_digest;
    }
    list.push_back(item);
  }
  out << list.dump(2) << "\n";
}

// Prints the list once.
ExitCode PrintPs(const PsOptions& options, Console& console) {
  StateDir state(StateDir::DefaultRoot());
  Result<std::vector<ReplicaEntry>> entries = state.List(options.deployment);
  if (!entries.ok()) {
    console.err << "error: " << entries.status().message() << "\n";
    return ExitCode::kFailure;
  }
  int64_t now = static_cast<int64_t>(std::time(nullptr));
  std::map<std::string, ControllerStatus> controllers = ControllerStatuses(state, *entries);
  std::vector<Row> rows;
  for (const ReplicaEntry& entry : *entries) {
    int64_t age = entry.record ? std::max<int64_t>(0, now - entry.record->created_unix) : 0;
    auto controller = controllers.find(entry.deployment);
    const ControllerStatus* status =
        controller == controllers.end() ? nullptr : &controller->second;
    std::optional<std::string> state_name = entry.state == ReplicaState::kRunning
                                                ? ControllerState(status, entry.replica)
                                                : std::nullopt;
    std::optional<AgentStatusAnswer> answer = FetchStatus(entry);
    rows.push_back({&entry, state_name ? *state_name : LiveState(entry), age, status,
                    answer ? AgentFiguresFromStatus(answer->body) : std::nullopt,
                    ReplicaTimeline(entry.dir, answer)});
  }
  if (options.output == "json") {
    PrintJson(rows, console.out);
  } else {
    PrintTable(rows, console.out);
  }
  return ExitCode::kOk;
}

ExitCode RunPs(const PsOptions& options, Console& console) {
  if (!options.deployment.empty()) {
    if (Result<ReplicaName> name = ParseReplicaName(options.deployment);
        !name.ok() || name->replica) {
      console.err << "error: '" << options.deployment << "' is not a deployment name\n";
      return ExitCode::kUsage;
    }
  }
  if (!options.watch) return PrintPs(options, console);
  Result<SignalWatch> signals = SignalWatch::Create();
  if (!signals.ok()) {
    console.err << "error: " << signals.status().message() << "\n";
    return ExitCode::kFailure;
  }
  // On a terminal the list is redrawn in place (cursor home, clear below); elsewhere each
  // listing follows the last, a blank line between.
  bool in_place = IsTerminal(console.out);
  for (bool first = true;; first = false) {
    std::ostringstream text;
    Console buffered{text, console.err};
    ExitCode code = PrintPs(options, buffered);
    if (code != ExitCode::kOk) return code;
    console.out << (in_place ? "\033[H\033[J" : first ? "" : "\n") << text.str() << std::flush;
    pollfd p{signals->fd(), POLLIN, 0};
    if (::poll(&p, 1, kWatchIntervalMs) > 0 && signals.value().Take()) return ExitCode::kOk;
  }
}

}  // namespace

CommandRunner SetupPs(CLI::App& sub) {
  auto options = std::make_shared<PsOptions>();
  sub.add_option("deployment", options->deployment, "Only this deployment's replicas");
  sub.add_option("-o,--output", options->output, "Output format")
      ->check(CLI::IsMember({"text", "json"}));
  sub.add_flag("-w,--watch", options->watch,
               "Redraw the list every 2 s (in place on a terminal) until Ctrl-C");
  sub.footer(
      "READY counts the Pod's ready app containers, RESTARTS their restarts, CPU the guest's "
      "use of one CPU over the agent's last 2 s, MEM the guest's memory in use of its total, as "
      "its agent reports them. States: starting (QEMU being started), booting, ready (in "
      "service: GET /readyz answers 200), unhealthy (out of service, replaced if it stays so), "
      "draining (finishing its "
      "connections before it stops), stopping, exited (kept for 'logs' until 'down'). PORTS are "
      "the deployment's load-balanced ports on 127.0.0.1. -o json also gives each replica's boot "
      "timeline ('i2kit-host logs --timeline' prints it).");
  return [options](Console& console) { return RunPs(*options, console); };
}

}  // namespace i2kit
