// Checks both manifest formats share: the rules of one Pod, whose containers share one
// network namespace (the VM's) and become one VM's processes.
#pragma once

#include <yaml-cpp/yaml.h>

#include <map>
#include <optional>
#include <string>
#include <utility>

#include "common/image_reference.h"
#include "common/pod_model.h"
#include "common/yaml_fields.h"

namespace i2kit {

// Tracks the ports a Pod's containers listen on, and the load balancer ports it asks for,
// reporting the second claim of the same one.
class PodPorts {
 public:
  explicit PodPorts(const YamlContext& ctx) : ctx_(ctx) {}
  // A container port; containers of a Pod share the VM's network, so ports must differ.
  void ClaimContainerPort(const YAML::Node& at, const std::string& path, int port,
                          Protocol protocol, const std::string& container);
  // A load balancer listener port (i2kit short format).
  void ClaimListenerPort(const YAML::Node& at, const std::string& path, int port,
                         const std::string& container);

 private:
  const YamlContext& ctx_;
  std::map<std::pair<int, Protocol>, std::string> container_ports_;
  std::map<int, std::string> listener_ports_;
};

// Reads a container or deployment name that must be a DNS-1123 label.
std::optional<std::string> ReadDnsLabel(const YamlContext& ctx, const YAML::Node& node,
                                        const std::string& path);

// Reads and parses an image reference; a relative transport path becomes relative to the
// manifest file's directory.
std::optional<ImageReference> ReadImage(const YamlContext& ctx, const YAML::Node& node,
                                        const std::string& path);

}  // namespace i2kit
