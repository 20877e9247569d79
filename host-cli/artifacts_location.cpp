#include "host-cli/artifacts_location.h"

#include <filesystem>

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

// The container port `p` of Service `s` reaches in Deployment `d`: its number, or the container
// port of that name; 0 when none has it.
int TargetPortIn(const ServicePort& p, const Deployment& d) {
  if (p.target_port != 0) return p.target_port;
  for (const Container& c : d.containers) {
    for (const ContainerPort& cp : c.ports) {
      if (cp.name == p.target_port_name) return cp.container_port;
    }
  }
  return 0;
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

Result<std::vector<LocalService>> LocalServicesOf(const std::string& path) {
  std::vector<LocalService> services;
  if (!ArtifactsDirOf(path).empty()) return services;
  LoadedManifest loaded = LoadManifests({path}, ReadOptions{});
  if (!loaded.ok()) return Status::Error(path + ": not a valid manifest");
  for (const Service& s : loaded.manifest.services) {
    LocalService local{s.name, s.selector, {}};
    for (const ServicePort& p : s.ports) {
      int target = p.target_port;
      for (const Deployment& d : loaded.manifest.deployments) {
        if (target == 0 && SelectorMatches(s.selector, d.labels)) target = TargetPortIn(p, d);
      }
      if (target != 0) local.ports.push_back({p.port, target});
    }
    services.push_back(std::move(local));
  }
  return services;
}

Result<std::vector<NodePortPublish>> NodePortsOfManifest(const Manifest& manifest) {
  std::vector<NodePortPublish> out;
  for (const Service& s : manifest.services) {
    if (s.type != ServiceType::kNodePort) continue;
    std::vector<const Deployment*> selected;
    for (const Deployment& d : manifest.deployments) {
      if (SelectorMatches(s.selector, d.labels)) selected.push_back(&d);
    }
    if (selected.size() != 1) {
      return Status::Error("NodePort Service " + s.name + " selects " +
                           (selected.empty() ? std::string("no Deployment")
                                             : std::to_string(selected.size()) + " Deployments") +
                           ": locally its nodePort is balanced across one Deployment's replicas");
    }
    for (const ServicePort& p : s.ports) {
      if (p.node_port == 0) continue;
      int target = TargetPortIn(p, *selected[0]);
      if (target == 0) {
        return Status::Error("NodePort Service " + s.name + ": Deployment " + selected[0]->name +
                             " has no container port named " + p.target_port_name);
      }
      PublishedPort published;
      published.host_port = p.node_port;
      published.container_port = target;
      published.protocol = p.protocol;
      out.push_back({s.name, selected[0]->name, published});
    }
  }
  return out;
}

Result<std::vector<NodePortPublish>> NodePortsOf(const std::string& path) {
  if (!ArtifactsDirOf(path).empty()) return std::vector<NodePortPublish>{};
  LoadedManifest loaded = LoadManifests({path}, ReadOptions{});
  if (!loaded.ok()) return Status::Error(path + ": not a valid manifest");
  return NodePortsOfManifest(loaded.manifest);
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
