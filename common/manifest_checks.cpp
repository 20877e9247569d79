// Checks across every document and file read together (declared in manifest_reader.h).
#include <map>

#include "common/manifest_reader.h"

namespace i2kit {
namespace {

std::vector<const Deployment*> Selected(const Manifest& manifest, const Service& service) {
  std::vector<const Deployment*> out;
  for (const Deployment& d : manifest.deployments) {
    if (SelectorMatches(service.selector, d.labels)) out.push_back(&d);
  }
  return out;
}

bool Exposes(const Deployment& d, const ServicePort& port) {
  for (const Container& c : d.containers) {
    for (const ContainerPort& p : c.ports) {
      if (p.protocol != port.protocol) continue;
      if (port.target_port_name.empty() ? p.container_port == port.target_port
                                        : p.name == port.target_port_name) {
        return true;
      }
    }
  }
  return false;
}

// Records `object`'s name for `kind` ("deployment", "service"); a second use is an error.
template <typename T>
void ClaimName(std::map<std::string, const T*>& names, const T& object, const char* kind,
               Diagnostics& diagnostics) {
  auto [it, inserted] = names.emplace(object.name, &object);
  if (inserted) return;
  const SourceLocation& first = it->second->location;
  diagnostics.Error(object.location,
                    std::string(kind) + " name '" + object.name + "' is already used at " +
                        first.file + ":" + std::to_string(first.line),
                    std::string("unique ") + kind + " names: each becomes a DNS name");
}

}  // namespace

void CheckManifest(const Manifest& manifest, Diagnostics& diagnostics) {
  std::map<std::string, const Deployment*> deployments;
  for (const Deployment& d : manifest.deployments) {
    ClaimName(deployments, d, "deployment", diagnostics);
    // The agent's own lines on the console and in the logs carry the source "i2kit-agent",
    // and the EC2 reporter's stream is "i2kit-ec2-reporter": no container may pass for them.
    for (const Container& c : d.containers) {
      if (c.name.starts_with("i2kit-")) {
        diagnostics.Error(c.location,
                          "container '" + c.name + "': names starting with i2kit- are the agent's",
                          "another container name");
      }
    }
  }
  std::map<std::string, const Service*> services;
  for (const Service& s : manifest.services) {
    ClaimName(services, s, "service", diagnostics);
    std::vector<const Deployment*> selected = Selected(manifest, s);
    auto same_name = deployments.find(s.name);
    if (same_name != deployments.end() && !SelectorMatches(s.selector, same_name->second->labels)) {
      diagnostics.Error(
          s.location,
          "service '" + s.name + "' and deployment '" + s.name +
              "' would share one DNS name, but the service does not select the deployment",
          "a different name, or a selector matching the deployment's labels");
    }
    if (selected.empty()) {
      diagnostics.Warning(s.location,
                          "service '" + s.name + "' selects no deployment in the files given",
                          "a selector matching some deployment's template labels");
      continue;
    }
    for (const ServicePort& port : s.ports) {
      bool exposed = false;
      for (const Deployment* d : selected) exposed = exposed || Exposes(*d, port);
      if (!exposed) {
        std::string target = port.target_port_name.empty() ? std::to_string(port.target_port)
                                                           : "'" + port.target_port_name + "'";
        diagnostics.Warning(s.location,
                            "service '" + s.name +
                                "': no container of the selected deployments declares port " +
                                target + "/" + ProtocolName(port.protocol),
                            "a targetPort that a selected container lists in its ports");
      }
    }
  }
}

}  // namespace i2kit
