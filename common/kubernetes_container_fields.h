// The parts of a Kubernetes container that carry policy: probes, lifecycle hooks,
// securityContext and resources. Each reader reports its own problems and returns what it could
// read.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/pod_model.h"
#include "common/yaml_fields.h"

namespace i2kit {

enum class ProbeKind { kLiveness, kReadiness, kStartup };

// A probe with Kubernetes' defaults for every timing field (0 also means "default", as the
// API server treats it). Named ports are resolved against `ports`, the container's own.
std::optional<Probe> ReadProbe(const YamlContext& ctx, const YAML::Node& node,
                               const std::string& path, ProbeKind kind,
                               const std::vector<ContainerPort>& ports);

// A securityContext, on top of `inherited` (the pod-level one). A non-null `pod` restricts the
// keys to those a PodSecurityContext has, and receives fsGroup, supplementalGroups and
// fsGroupChangePolicy.
SecurityContext ReadSecurityContext(const YamlContext& ctx, const YAML::Node& node,
                                    const std::string& path, const SecurityContext& inherited,
                                    PodSecurityContext* pod);

// lifecycle: postStart and preStop, each exactly one of exec, httpGet (a named port resolved
// against `ports`) or sleep.
Lifecycle ReadLifecycle(const YamlContext& ctx, const YAML::Node& node, const std::string& path,
                        const std::vector<ContainerPort>& ports);

// requests / limits of cpu and memory; a request above its limit is an error, and a limit
// without a request sets the request, as Kubernetes does.
Resources ReadResources(const YamlContext& ctx, const YAML::Node& node, const std::string& path);

}  // namespace i2kit
