#include "common/vm_artifacts.h"

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

namespace i2kit {
namespace {

using Json = nlohmann::ordered_json;

std::string PathOf(const std::string& dir) {
  return dir + "/" + kVmArtifactsFile;
}

}  // namespace

Status WriteVmArtifacts(const std::string& dir, const VmArtifacts& a) {
  Json ports = Json::array();
  for (const VmPort& p : a.ports) {
    ports.push_back({{"containerPort", p.container_port}, {"protocol", ProtocolName(p.protocol)}});
  }
  Json json = {{"deployment", a.deployment},
               {"replicas", a.replicas},
               {"kernel", a.kernel},
               {"initrd", a.initrd},
               {"disks", a.disks},
               {"memoryMiB", a.memory_mib},
               {"cpus", a.cpus},
               {"cmdline", a.cmdline},
               {"bootDisk", a.boot_disk},
               {"bootCmdline", a.boot_cmdline},
               {"ports", ports},
               {"terminationGracePeriodSeconds", a.termination_grace_period_seconds},
               {"strategy",
                {{"type", a.recreate ? "Recreate" : "RollingUpdate"},
                 {"maxSurge", a.max_surge},
                 {"maxUnavailable", a.max_unavailable},
                 {"progressDeadlineSeconds", a.progress_deadline_seconds}}},
               {"labels", a.labels},
               {"imageDigest", a.image_digest},
               {"buildKey", a.build_key}};
  if (!a.direct_kernel.path.empty()) {
    json["directKernel"] = {{"path", a.direct_kernel.path},
                            {"sha256", a.direct_kernel.sha256},
                            {"kernelSha256", a.direct_kernel.kernel_sha256}};
  }
  if (!a.volumes.empty()) {
    Json volumes = Json::array();
    for (const VmVolume& v : a.volumes) {
      volumes.push_back({{"name", v.name}, {"sizeBytes", v.size_bytes}});
    }
    json["volumes"] = volumes;
  }
  if (!a.services.empty()) json["services"] = ServicePlansToJson(a.services);
  std::string path = PathOf(dir);
  std::ofstream out(path, std::ios::trunc);
  out << json.dump(2) << "\n";
  out.close();
  if (!out) return Status::Error("cannot write " + path);
  return Status::Ok();
}

Result<VmArtifacts> ReadVmArtifacts(const std::string& dir) {
  std::string path = PathOf(dir);
  std::ifstream in(path);
  if (!in) return Status::Error("cannot read " + path + ": run 'i2kit-host build' first");
  std::stringstream text;
  text << in.rdbuf();
  try {
    nlohmann::json json = nlohmann::json::parse(text.str());
    VmArtifacts a;
    a.deployment = json.at("deployment").get<std::string>();
    a.replicas = json.at("replicas").get<int>();
    a.kernel = json.at("kernel").get<std::string>();
    a.initrd = json.at("initrd").get<std::string>();
    a.disks = json.at("disks").get<std::vector<std::string>>();
    a.memory_mib = json.at("memoryMiB").get<int>();
    a.cpus = json.at("cpus").get<int>();
    a.cmdline = json.at("cmdline").get<std::string>();
    a.boot_disk = json.value("bootDisk", "");  // absent from artifacts built before it existed
    a.boot_cmdline = json.value("bootCmdline", "");
    for (const nlohmann::json& p : json.at("ports")) {
      std::optional<Protocol> protocol = ProtocolNamed(p.at("protocol").get<std::string>());
      if (!protocol) return Status::Error(path + ": ports: protocol: not TCP, UDP or SCTP");
      a.ports.push_back({p.at("containerPort").get<int>(), *protocol});
    }
    a.termination_grace_period_seconds = json.at("terminationGracePeriodSeconds").get<int>();
    // Artifacts built before rollouts were recorded get Kubernetes' defaults.
    RolloutCounts defaults = ResolveRollout(DeploymentStrategy{}, a.replicas);
    a.max_surge = defaults.max_surge;
    a.max_unavailable = defaults.max_unavailable;
    if (json.contains("strategy")) {
      const nlohmann::json& strategy = json.at("strategy");
      std::string type = strategy.at("type").get<std::string>();
      if (type != "Recreate" && type != "RollingUpdate") {
        return Status::Error(path + ": strategy.type: expected Recreate or RollingUpdate");
      }
      a.recreate = type == "Recreate";
      a.max_surge = strategy.at("maxSurge").get<int>();
      a.max_unavailable = strategy.at("maxUnavailable").get<int>();
      a.progress_deadline_seconds = strategy.at("progressDeadlineSeconds").get<int>();
    }
    if (a.max_surge < 0 || a.max_unavailable < 0 || a.progress_deadline_seconds <= 0 ||
        a.replicas < 0) {
      return Status::Error(path + ": replicas and strategy counts must not be negative");
    }
    if (json.contains("labels")) {
      a.labels = json.at("labels").get<std::map<std::string, std::string>>();
    }
    a.image_digest = json.at("imageDigest").get<std::string>();
    a.build_key = json.value("buildKey", "");
    if (json.contains("directKernel")) {
      const nlohmann::json& direct = json.at("directKernel");
      a.direct_kernel = {direct.at("path").get<std::string>(),
                         direct.at("sha256").get<std::string>(),
                         direct.at("kernelSha256").get<std::string>()};
    }
    if (json.contains("volumes")) {
      for (const nlohmann::json& v : json.at("volumes")) {
        a.volumes.push_back({v.at("name").get<std::string>(), v.at("sizeBytes").get<int64_t>()});
      }
    }
    if (json.contains("services")) {
      Result<std::vector<ServicePlan>> services = ServicePlansFromJson(json.at("services"), path);
      if (!services.ok()) return services.status();
      a.services = std::move(services).value();
    }
    return a;
  } catch (const nlohmann::json::exception& e) {
    return Status::Error(path + ": " + e.what());
  }
}

}  // namespace i2kit
