#include "host-cli/artifacts_location.h"

#include <filesystem>

#include "common/manifest_reader.h"
#include "host-cli/vm_artifacts.h"

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
        if (target != 0 || !SelectorMatches(s.selector, d.labels)) continue;
        for (const Container& c : d.containers) {
          for (const ContainerPort& cp : c.ports) {
            if (cp.name == p.target_port_name) target = cp.container_port;
          }
        }
      }
      if (target != 0) local.ports.push_back({p.port, target});
    }
    services.push_back(std::move(local));
  }
  return services;
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
