// i2kit-host ps [DEPLOYMENT]: the Pod VMs this user runs locally, one line per replica, with
// their state (starting, booting, ready, unready, exited), QEMU's pid, age and ports.
#include <ctime>
#include <memory>
#include <nlohmann/json.hpp>
#include <ostream>

#include "common/pod_vm.h"
#include "host-cli/command.h"
#include "host-cli/console_log.h"
#include "host-cli/readiness.h"
#include "host-cli/state_dir.h"

namespace i2kit {
namespace {

constexpr std::chrono::milliseconds kReadyCheckTimeout{300};

struct PsOptions {
  std::string deployment;
  std::string output = "text";
};

struct Row {
  const ReplicaEntry* entry;
  std::string state;
  int64_t age_seconds = 0;
};

// A running VM is ready while its agent answers /readyz with 200; one that printed the ready
// marker before and no longer answers is unready; otherwise it is still booting.
std::string LiveState(const ReplicaEntry& entry) {
  switch (entry.state) {
    case ReplicaState::kStarting:
      return "starting";
    case ReplicaState::kExited:
      return "exited";
    case ReplicaState::kRunning:
      break;
  }
  if (AgentReportsReady(entry.record->agent_port, kReadyCheckTimeout)) return "ready";
  Result<std::string> console = ReadLogTail(entry.dir + "/" + kConsoleLogFile, 1 << 20);
  bool was_ready = console.ok() && console->find(pod_vm::kReadyMarker) != std::string::npos;
  return was_ready ? "unready" : "booting";
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
  std::vector<std::vector<std::string>> cells = {{"NAME", "STATE", "PID", "AGE", "ACCEL", "PORTS"}};
  for (const Row& row : rows) {
    const std::optional<ReplicaRecord>& r = row.entry->record;
    std::string ports;
    if (r) {
      for (const PublishedPort& p : r->ports) {
        ports += (ports.empty() ? "" : ",") + FormatPublishedPort(p);
      }
    }
    cells.push_back({row.entry->name(), row.state, r ? std::to_string(r->pid) : "-",
                     r ? FormatAge(row.age_seconds) : "-", r ? r->accelerator : "-",
                     ports.empty() ? "-" : ports});
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
      item["ageSeconds"] = row.age_seconds;
      item["accelerator"] = r.accelerator;
      item["ports"] = ports;
      item["agentPort"] = r.agent_port;
      item["artifactsDir"] = r.artifacts_dir;
      item["imageDigest"] = r.image_digest;
    }
    list.push_back(item);
  }
  out << list.dump(2) << "\n";
}

ExitCode RunPs(const PsOptions& options, Console& console) {
  if (!options.deployment.empty()) {
    if (Result<ReplicaName> name = ParseReplicaName(options.deployment);
        !name.ok() || name->replica) {
      console.err << "error: '" << options.deployment << "' is not a deployment name\n";
      return ExitCode::kUsage;
    }
  }
  StateDir state(StateDir::DefaultRoot());
  Result<std::vector<ReplicaEntry>> entries = state.List(options.deployment);
  if (!entries.ok()) {
    console.err << "error: " << entries.status().message() << "\n";
    return ExitCode::kFailure;
  }
  int64_t now = static_cast<int64_t>(std::time(nullptr));
  std::vector<Row> rows;
  for (const ReplicaEntry& entry : *entries) {
    int64_t age = entry.record ? std::max<int64_t>(0, now - entry.record->created_unix) : 0;
    rows.push_back({&entry, LiveState(entry), age});
  }
  if (options.output == "json") {
    PrintJson(rows, console.out);
  } else {
    PrintTable(rows, console.out);
  }
  return ExitCode::kOk;
}

}  // namespace

CommandRunner SetupPs(CLI::App& sub) {
  auto options = std::make_shared<PsOptions>();
  sub.add_option("deployment", options->deployment, "Only this deployment's replicas");
  sub.add_option("-o,--output", options->output, "Output format")
      ->check(CLI::IsMember({"text", "json"}));
  sub.footer(
      "States: starting (QEMU being started), booting, ready (GET /readyz answers 200), unready "
      "(was ready, no longer answers), exited (kept for 'logs' until 'down').");
  return [options](Console& console) { return RunPs(*options, console); };
}

}  // namespace i2kit
