// Kubernetes manifests as users already write them: apps/v1 Deployments (also apps/v1beta2
// and extensions/v1beta1, as the i2kit paper's Fig. 2 uses) and v1 Services. Fields i2kit
// cannot honour are errors naming the field; fields with no meaning here are warnings.
#pragma once

#include <optional>
#include <string>

#include "common/pod_model.h"
#include "common/yaml_fields.h"

namespace i2kit {

// Reads one document that has apiVersion/kind into `out`; reports every problem.
void ReadKubernetesObject(const YamlContext& ctx, const YAML::Node& doc, Manifest& out);

// The Pod template's spec: containers, grace period, pod-level securityContext, and the
// fields i2kit refuses. Fills `deployment`; `path` is the spec's field path.
void ReadPodSpec(const YamlContext& ctx, const YAML::Node& spec, const std::string& path,
                 Deployment& deployment);

}  // namespace i2kit
