// Where a container's environment comes from (env, envFrom) and the Pod fields a container or
// a downwardAPI volume may read (fieldRef, resourceFieldRef), checked as the API server checks
// them, refusing what a Pod VM cannot give truthfully.
#pragma once

#include <optional>
#include <set>
#include <string>
#include <vector>

#include "common/pod_model.h"
#include "common/yaml_fields.h"

namespace i2kit {

// Where a field reference is read: env[].valueFrom or a downwardAPI volume's items, whose
// allowed fields differ in Kubernetes.
enum class FieldRefUse { kEnv, kVolume };

// fieldRef: {fieldPath, apiVersion}. Fills `field.field_path` in its normalized form.
std::optional<PodField> ReadFieldRef(const YamlContext& ctx, const YAML::Node& node,
                                     const std::string& path, FieldRefUse use);

// resourceFieldRef: {resource, containerName, divisor}; `containers` are the Pod's container
// names (init containers too); containerName is required in volumes, as in Kubernetes.
std::optional<PodField> ReadResourceFieldRef(const YamlContext& ctx, const YAML::Node& node,
                                             const std::string& path, FieldRefUse use,
                                             const std::set<std::string>& containers);

// env: a list of {name, value} or {name, valueFrom}.
std::vector<EnvVar> ReadEnv(const YamlContext& ctx, const YAML::Node& node, const std::string& path,
                            const std::set<std::string>& containers);

// envFrom: a list of {configMapRef | secretRef: {name, optional}, prefix}.
std::vector<EnvFromSource> ReadEnvFrom(const YamlContext& ctx, const YAML::Node& node,
                                       const std::string& path);

}  // namespace i2kit
