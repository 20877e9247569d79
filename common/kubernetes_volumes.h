// A Pod's volumes and each container's volumeMounts: the kinds that mean something in a Pod
// VM (emptyDir, configMap, secret, downwardAPI, projected ones of those, and
// persistentVolumeClaim with its PersistentVolumeClaim object), and clear
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

// A PersistentVolumeClaim object into `out.claims`: ReadWriteOnce (or ReadWriteOncePod), a
// Filesystem, spec.resources.requests.storage at least 1Mi.
void ReadVolumeClaimObject(const YamlContext& ctx, YamlFields& object, Manifest& out);

// Once every file is read: gives each Kubernetes persistentVolumeClaim volume its claim's
// size; a claim that is missing, or named by two deployments, is an error.
void ResolveVolumeClaims(Manifest& manifest, Diagnostics& diagnostics);

}  // namespace i2kit
