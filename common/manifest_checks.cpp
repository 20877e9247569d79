// Checks across every document and file read together (declared in manifest_reader.h).
#include <map>

#include "common/config_references.h"
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
               Diagnostics& diagnostics, const char* why = ": each becomes a DNS name") {
  auto [it, inserted] = names.emplace(object.name, &object);
  if (inserted) return;
  const SourceLocation& first = it->second->location;
  diagnostics.Error(object.location,
                    std::string(kind) + " name '" + object.name + "' is already used at " +
                        first.file + ":" + std::to_string(first.line),
                    std::string("unique ") + kind + " names" + why);
}

const ConfigObject* FindObject(const std::vector<ConfigObject>& objects, const std::string& name) {
  for (const ConfigObject& o : objects) {
    if (o.name == name) return &o;
  }
  return nullptr;
}

// Kubernetes would hold such a Pod in CreateContainerConfigError until the object appears;
// here every object is known before a VM is built, so a missing one is an error now.
void CheckConfigReferences(const Manifest& manifest, const Deployment& d,
                           Diagnostics& diagnostics) {
  for (const ConfigReference& ref : ConfigReferences(d)) {
    if (ref.optional) continue;
    const char* kind = ref.is_secret ? "Secret" : "ConfigMap";
    const ConfigObject* object =
        FindObject(ref.is_secret ? manifest.secrets : manifest.config_maps, ref.object_name);
    std::string who = "deployment '" + d.name + "' " + ref.user + ": ";
    if (!object) {
      diagnostics.Error(ref.location,
                        who + kind + " '" + ref.object_name + "' is not in the files given",
                        std::string("a ") + kind +
                            " of that name in the files given, or "
                            "optional: true (Kubernetes would hold the Pod in "
                            "CreateContainerConfigError)");
    } else if (!ref.key.empty() && !object->data.count(ref.key)) {
      diagnostics.Error(ref.location,
                        who + kind + " '" + ref.object_name + "' has no key '" + ref.key + "'",
                        "a key of the object, or optional: true");
    }
  }
}

// Each nodePort is one port of the host (locally), so two Services cannot share one.
void CheckNodePorts(const Manifest& manifest, Diagnostics& diagnostics) {
  std::map<std::pair<int, Protocol>, const Service*> claimed;
  for (const Service& s : manifest.services) {
    for (const ServicePort& port : s.ports) {
      if (port.node_port == 0) continue;
      auto [it, inserted] = claimed.emplace(std::pair{port.node_port, port.protocol}, &s);
      if (inserted) continue;
      diagnostics.Error(s.location,
                        "service '" + s.name + "': nodePort " + std::to_string(port.node_port) +
                            "/" + ProtocolName(port.protocol) + " is already used by service '" +
                            it->second->name + "'",
                        "a nodePort no other Service uses");
    }
  }
}

}  // namespace

void CheckManifest(const Manifest& manifest, Diagnostics& diagnostics) {
  std::map<std::string, const Deployment*> deployments;
  for (const Deployment& d : manifest.deployments) {
    ClaimName(deployments, d, "deployment", diagnostics);
    // The agent's own lines on the console and in the logs carry the source "i2kit-agent",
    // and the EC2 reporter's stream is "i2kit-ec2-reporter": no container may pass for them.
    CheckConfigReferences(manifest, d, diagnostics);
    std::vector<const Container*> all;
    for (const Container& c : d.init_containers) all.push_back(&c);
    for (const Container& c : d.containers) all.push_back(&c);
    for (const Container* container : all) {
      const Container& c = *container;
      if (c.name.starts_with("i2kit-")) {
        diagnostics.Error(c.location,
                          "container '" + c.name + "': names starting with i2kit- are the agent's",
                          "another container name");
      }
    }
  }
  std::map<std::string, const ConfigObject*> config_maps;
  for (const ConfigObject& c : manifest.config_maps)
    ClaimName(config_maps, c, "ConfigMap", diagnostics, "");
  std::map<std::string, const ConfigObject*> secrets;
  for (const ConfigObject& c : manifest.secrets) ClaimName(secrets, c, "Secret", diagnostics, "");
  CheckNodePorts(manifest, diagnostics);
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
