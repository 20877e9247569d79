// Kubernetes manifests as users already write them: apps/v1 Deployments (also apps/v1beta2
// and extensions/v1beta1, as the i2kit paper's Fig. 2 uses), v1 Services, ConfigMaps and
// Secrets; kinds that mean nothing in a Pod VM (RBAC, Namespace, autoscalers) are warnings. Fields
// i2kit cannot honour are errors naming the field; fields with no meaning here are warnings.
#pragma once

#include <map>
#include <optional>
#include <string>

#include "common/pod_model.h"
#include "common/yaml_fields.h"

namespace i2kit {

// metadata: name (checked by `check_name`, which returns why a name is invalid), labels,
// namespace, and the fields that carry no meaning here.
struct Metadata {
  std::string name;
  // Names are global to the files given; the namespace is what fieldRef metadata.namespace
  // shows.
  std::string namespace_name = "default";
  std::map<std::string, std::string> labels;
};
std::optional<Metadata> ReadMetadata(const YamlContext& ctx, YamlFields& object,
                                     std::string (*check_name)(std::string_view),
                                     std::string_view name_rule);

// A ConfigMap (is_secret false) or Secret document into out.config_maps or out.secrets.
void ReadConfigObject(const YamlContext& ctx, YamlFields& object, bool is_secret, Manifest& out);

// Reads one document that has apiVersion/kind into `out`; reports every problem.
void ReadKubernetesObject(const YamlContext& ctx, const YAML::Node& doc, Manifest& out);

// The Pod template's spec: containers, grace period, pod-level securityContext, and the
// fields i2kit refuses. Fills `deployment`; `path` is the spec's field path.
void ReadPodSpec(const YamlContext& ctx, const YAML::Node& spec, const std::string& path,
                 Deployment& deployment);

}  // namespace i2kit
