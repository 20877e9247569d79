// A Pod's volumes and each container's volumeMounts: the kinds that mean something in a Pod
// VM (emptyDir, configMap, secret, downwardAPI, and projected ones of those), and clear
// refusals, with the reason, of the kinds that would need a host or a cluster's storage.
#pragma once

#include <set>
#include <string>
#include <vector>

#include "common/pod_model.h"
#include "common/yaml_fields.h"

namespace i2kit {

// volumes: `containers` are the Pod's container names (for resourceFieldRef.containerName).
std::vector<Volume> ReadVolumes(const YamlContext& ctx, const YAML::Node& node,
                                const std::string& path, const std::set<std::string>& containers);

// volumeMounts of one container: each names one of `volumes`, at an absolute path used once.
std::vector<VolumeMount> ReadVolumeMounts(const YamlContext& ctx, const YAML::Node& node,
                                          const std::string& path,
                                          const std::vector<Volume>& volumes);

}  // namespace i2kit
