#include "host-cli/artifacts_location.h"

#include <algorithm>
#include <filesystem>
#include <set>

#include "common/manifest_reader.h"
#include "common/vm_artifacts.h"

namespace i2kit {
namespace {

namespace fs = std::filesystem;

Result<std::vector<std::string>> ManifestDeployments(const std::string& path) {
  std::error_code error;
  if (!fs::exists(path, error)) return Status::Error(path + ": no such file or directory");
  LoadedManifest loaded = LoadManifests({path}, ReadOptions{});
  if (!loaded.ok()) {
    return Status::Error(path + " is neither an artifacts directory nor a valid manifest " +
                         "('i2kit-host validate " + path + "' says why)");
  }
  std::vector<std::string> names;
  for (const Deployment& d : loaded.manifest.deployments) names.push_back(d.name);
  if (names.empty()) return Status::Error(path + ": the manifest has no deployment");
  return names;
}

}  // namespace

std::string ArtifactsDirOf(const std::string& path) {
  std::error_code error;
  fs::path p(path);
  if (fs::is_directory(p, error)) return fs::absolute(p, error).lexically_normal().string();
  if (p.filename() == kVmArtifactsFile) {
    return fs::absolute(p.parent_path().empty() ? fs::path(".") : p.parent_path(), error)
        .lexically_normal()
        .string();
  }
  return "";
}

Result<std::vector<std::string>> ArtifactsDirsFor(const std::string& path) {
  if (std::string dir = ArtifactsDirOf(path); !dir.empty()) return std::vector<std::string>{dir};
  Result<std::vector<std::string>> names = ManifestDeployments(path);
  if (!names.ok()) return names.status();
  std::vector<std::string> dirs;
  for (const std::string& name : *names) {
    std::error_code error;
    fs::path dir = fs::absolute(fs::path(kDefaultOutputDir) / name, error);
    if (!fs::exists(dir / kVmArtifactsFile, error)) {
      return Status::Error("no artifacts for deployment " + name + " in ./" + kDefaultOutputDir +
                           "/" + name + ": run 'i2kit-host build " + path + "' first");
    }
    dirs.push_back(dir.lexically_normal().string());
  }
  return dirs;
}

Result<std::vector<ServicePlan>> ServicePlansOf(const std::string& path) {
  std::vector<ServicePlan> plans;
  if (std::string dir = ArtifactsDirOf(path); !dir.empty()) {
    Result<VmArtifacts> artifacts = ReadVmArtifacts(dir);
    if (!artifacts.ok()) return artifacts.status();
    for (const ServicePlan& plan : artifacts->services) {
      const std::vector<std::string>& selected = plan.deployments;
      if (std::find(selected.begin(), selected.end(), artifacts->deployment) != selected.end()) {
        plans.push_back(plan);
      }
    }
    return plans;
  }
  Result<std::vector<std::string>> dirs = ArtifactsDirsFor(path);
  if (!dirs.ok()) return dirs.status();
  // Every deployment's vm.json holds the whole manifest's plan; one built alone from another
  // manifest may add Services of its own.
  std::set<std::string> seen;
  for (const std::string& dir : *dirs) {
    Result<VmArtifacts> artifacts = ReadVmArtifacts(dir);
    if (!artifacts.ok()) return artifacts.status();
    for (const ServicePlan& plan : artifacts->services) {
      if (seen.insert(plan.name).second) plans.push_back(plan);
    }
  }
  return plans;
}

std::vector<LocalService> LocalServicesOfPlan(const std::vector<ServicePlan>& plans) {
  std::vector<LocalService> services;
  for (const ServicePlan& plan : plans) {
    LocalService local{plan.name, plan.selector, {}};
    for (const ServiceListener& l : plan.listeners) {
      if (l.target_port != 0) local.ports.push_back({l.port, l.target_port});
    }
    services.push_back(std::move(local));
  }
  return services;
}

Result<std::vector<LocalService>> LocalServicesOf(const std::string& path) {
  Result<std::vector<ServicePlan>> plans = ServicePlansOf(path);
  if (!plans.ok()) return plans.status();
  return LocalServicesOfPlan(*plans);
}

Result<std::vector<NodePortPublish>> NodePortsOfPlan(const std::vector<ServicePlan>& plans) {
  std::vector<NodePortPublish> out;
  for (const ServicePlan& s : plans) {
    if (s.type != ServiceType::kNodePort) continue;
    if (s.deployments.size() != 1) {
      return Status::Error("NodePort Service " + s.name + " selects " +
                           (s.deployments.empty()
                                ? std::string("no Deployment")
                                : std::to_string(s.deployments.size()) + " Deployments") +
                           ": locally its nodePort is balanced across one Deployment's replicas");
    }
    for (const ServiceListener& l : s.listeners) {
      if (l.node_port == 0) continue;
      if (l.target_port == 0) {
        return Status::Error("NodePort Service " + s.name + ", port " + std::to_string(l.port) +
                             ": Deployment " + s.deployments[0] +
                             " has no container port its targetPort names");
      }
      PublishedPort published;
      published.host_port = l.node_port;
      published.container_port = l.target_port;
      published.protocol = l.protocol;
      out.push_back({s.name, s.deployments[0], published});
    }
  }
  return out;
}

Result<std::vector<NodePortPublish>> NodePortsOfManifest(const Manifest& manifest) {
  Result<std::vector<ServicePlan>> plans = PlanServices(manifest);
  if (!plans.ok()) return plans.status();
  return NodePortsOfPlan(*plans);
}

Result<std::vector<NodePortPublish>> NodePortsOf(const std::string& path) {
  Result<std::vector<ServicePlan>> plans = ServicePlansOf(path);
  if (!plans.ok()) return plans.status();
  return NodePortsOfPlan(*plans);
}

Result<std::vector<std::string>> DeploymentsOf(const std::string& path) {
  if (std::string dir = ArtifactsDirOf(path); !dir.empty()) {
    Result<VmArtifacts> artifacts = ReadVmArtifacts(dir);
    if (!artifacts.ok()) return artifacts.status();
    return std::vector<std::string>{artifacts->deployment};
  }
  return ManifestDeployments(path);
}

}  // namespace i2kit
