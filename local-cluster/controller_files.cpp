#include "local-cluster/controller_files.h"

#include <algorithm>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <thread>

#include "common/names.h"
#include "common/pod_model.h"
#include "local-vm/console_log.h"

namespace i2kit {
namespace {

using Json = nlohmann::ordered_json;

}  // namespace

std::string ControllerLockPath(const StateDir& state, const std::string& deployment) {
  return state.ControllerPath(deployment, ".lock");
}
std::string ControllerSocketPath(const StateDir& state, const std::string& deployment) {
  return state.ControllerPath(deployment, ".sock");
}
std::string ControllerStatusPath(const StateDir& state, const std::string& deployment) {
  return state.ControllerPath(deployment, ".status.json");
}
std::string ControllerLogPath(const StateDir& state, const std::string& deployment) {
  return state.ControllerPath(deployment, ".log");
}
bool ControllerRuns(const StateDir& state, const std::string& deployment) {
  return IsLockHeld(ControllerLockPath(state, deployment));
}

Status WaitForControllerExit(const StateDir& state, const std::string& deployment,
                             std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (ControllerRuns(state, deployment)) {
    if (std::chrono::steady_clock::now() >= deadline) {
      return Status::Error("the controller of " + deployment + " still runs " +
                           std::to_string(timeout.count()) + " ms after it stopped its VMs");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return Status::Ok();
}

std::string ControllerStatusToJson(const ControllerStatus& s) {
  Json ports = Json::array();
  for (const ControllerStatus::Port& p : s.ports) {
    ports.push_back({{"containerPort", p.container_port},
                     {"hostPort", p.host_port},
                     {"published", p.published}});
  }
  Json members = Json::array();
  for (const ControllerStatus::Replica& r : s.members) {
    members.push_back({{"replica", r.replica}, {"state", r.state}, {"current", r.current}});
  }
  Json json = {{"deployment", s.deployment},
               {"labels", s.labels},
               {"pid", s.pid},
               {"replicas", s.replicas},
               {"imageDigest", s.image_digest},
               {"operation", s.operation},
               {"replacements", s.replacements},
               {"ports", ports},
               {"members", members}};
  return json.dump(2) + "\n";
}

Result<ControllerStatus> ControllerStatusFromJson(std::string_view text) {
  try {
    nlohmann::json json = nlohmann::json::parse(text);
    ControllerStatus s;
    s.deployment = json.at("deployment").get<std::string>();
    s.labels = json.at("labels").get<std::map<std::string, std::string>>();
    s.pid = json.at("pid").get<int>();
    s.replicas = json.at("replicas").get<int>();
    s.image_digest = json.at("imageDigest").get<std::string>();
    s.operation = json.at("operation").get<std::string>();
    s.replacements = json.at("replacements").get<int>();
    for (const nlohmann::json& p : json.at("ports")) {
      s.ports.push_back({p.at("containerPort").get<int>(), p.at("hostPort").get<int>(),
                         p.at("published").get<bool>()});
    }
    for (const nlohmann::json& r : json.at("members")) {
      s.members.push_back({r.at("replica").get<int>(), r.at("state").get<std::string>(),
                           r.at("current").get<bool>()});
    }
    return s;
  } catch (const nlohmann::json::exception& e) {
    return Status::Error(std::string("controller status: ") + e.what());
  }
}

namespace {

constexpr const char* kServicesDir = "_services";

std::string ServicePath(const StateDir& state, const std::string& name) {
  return state.root() + "/" + kServicesDir + "/" + name + ".json";
}

std::vector<LocalService> ReadLocalServices(const StateDir& state) {
  std::vector<LocalService> services;
  std::error_code error;
  for (const auto& file : std::filesystem::directory_iterator(
           std::filesystem::path(state.root()) / kServicesDir, error)) {
    Result<std::string> text = ReadLogTail(file.path().string(), 1 << 20);
    if (!text.ok()) continue;
    nlohmann::json json = nlohmann::json::parse(*text, nullptr, /*allow_exceptions=*/false);
    try {
      LocalService service;
      service.name = json.at("name").get<std::string>();
      service.selector = json.at("selector").get<std::map<std::string, std::string>>();
      for (const nlohmann::json& p : json.at("ports")) {
        service.ports.push_back({p.at("port").get<int>(), p.at("targetPort").get<int>()});
      }
      if (CheckDns1123Label(service.name).empty()) services.push_back(std::move(service));
    } catch (const nlohmann::json::exception&) {
      continue;  // a damaged record names nothing
    }
  }
  return services;
}

}  // namespace

Status WriteLocalService(const StateDir& state, const LocalService& service) {
  Json ports = Json::array();
  for (const LocalService::Port& p : service.ports) {
    ports.push_back({{"port", p.port}, {"targetPort", p.target_port}});
  }
  std::error_code error;
  std::filesystem::create_directories(std::filesystem::path(state.root()) / kServicesDir, error);
  if (error) return Status::Error("cannot create " + state.root() + "/" + kServicesDir);
  Json json = {{"name", service.name}, {"selector", service.selector}, {"ports", ports}};
  return WriteFileAtomically(ServicePath(state, service.name), json.dump(2) + "\n");
}

void RemoveLocalService(const StateDir& state, const std::string& name) {
  std::error_code error;
  std::filesystem::remove(ServicePath(state, name), error);
  std::filesystem::remove(std::filesystem::path(state.root()) / kServicesDir, error);  // if empty
}

ServiceDirectory LocalServiceDirectory(const StateDir& state) {
  ServiceDirectory directory;
  std::vector<ControllerStatus> statuses;
  std::error_code error;
  std::filesystem::path dir = std::filesystem::path(state.root()) / kControllersDir;
  for (const auto& file : std::filesystem::directory_iterator(dir, error)) {
    std::string name = file.path().filename().string();
    const std::string suffix = ".status.json";
    if (name.size() <= suffix.size() || !name.ends_with(suffix)) continue;
    std::string deployment = name.substr(0, name.size() - suffix.size());
    if (!CheckDns1123Label(deployment).empty() || !ControllerRuns(state, deployment)) continue;
    Result<std::string> text = ReadLogTail(file.path().string(), 1 << 20);
    if (!text.ok()) continue;
    Result<ControllerStatus> status = ControllerStatusFromJson(*text);
    if (!status.ok()) continue;
    DirectoryEntry entry{deployment, {}};
    for (const ControllerStatus::Port& p : status->ports) {
      entry.ports.push_back({p.container_port, {p.host_port}});
    }
    directory.entries.push_back(std::move(entry));
    statuses.push_back(std::move(status).value());
  }
  std::sort(statuses.begin(), statuses.end(),
            [](const ControllerStatus& a, const ControllerStatus& b) {
              return a.deployment < b.deployment;
            });
  for (const LocalService& service : ReadLocalServices(state)) {
    bool taken = std::any_of(directory.entries.begin(), directory.entries.end(),
                             [&](const DirectoryEntry& e) { return e.name == service.name; });
    std::vector<const ControllerStatus*> selected;
    for (const ControllerStatus& s : statuses) {
      if (SelectorMatches(service.selector, s.labels)) selected.push_back(&s);
    }
    if (taken || selected.empty()) continue;
    DirectoryEntry entry{service.name, {}};
    for (const LocalService::Port& sp : service.ports) {
      DirectoryPort port{sp.port, {}};
      for (const ControllerStatus* s : selected) {
        for (const ControllerStatus::Port& p : s->ports) {
          if (p.container_port == sp.target_port &&
              port.host_ports.size() < kMaxDirectoryBackends) {
            port.host_ports.push_back(p.host_port);
          }
        }
      }
      if (port.host_ports.empty()) continue;
      std::sort(port.host_ports.begin(), port.host_ports.end());
      entry.ports.push_back(std::move(port));
    }
    directory.entries.push_back(std::move(entry));
  }
  std::sort(directory.entries.begin(), directory.entries.end(),
            [](const DirectoryEntry& a, const DirectoryEntry& b) { return a.name < b.name; });
  return directory;
}

}  // namespace i2kit
