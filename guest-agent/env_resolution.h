// A container's environment as Kubernetes builds it, resolved to literal values before the
// container starts: envFrom first, in order (every key of a ConfigMap or Secret, with its
// prefix), then env, whose entries override; valueFrom reads a ConfigMap or Secret key or a
// Pod field (pod_field.h).
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "common/pod_model.h"
#include "common/status.h"
#include "guest-agent/pod_field.h"

namespace i2kit {

// Where references are looked up.
struct EnvSources {
  const std::vector<ConfigObject>* config_maps = nullptr;
  const std::vector<ConfigObject>* secrets = nullptr;
  const PodFacts* facts = nullptr;
  const Deployment* pod = nullptr;
};

// Kubernetes' rule for a variable name (IsEnvVarName): letters, digits, '_', '-' and '.',
// not starting with a digit.
bool IsEnvVarName(const std::string& name);

// `container`'s envFrom and env as kValue variables, in Kubernetes' order (a later name
// replaces an earlier one when the process spec is built). Values that came from a reference
// have each '$' doubled, so that $(VAR) expansion (process_spec.h) leaves them as they are,
// while literal values still expand from everything before them. An envFrom key that is not
// a valid name, or whose value holds a NUL byte (binaryData: an environment cannot carry
// it), is skipped with a note to `note` naming the key, never the value. A missing object or
// key that is not optional fails with a message naming it (never a Secret's value).
Result<std::vector<EnvVar>> ResolveEnvironment(const Container& container,
                                               const EnvSources& sources,
                                               const std::function<void(const std::string&)>& note);

// The object named `name` in `objects`, or null.
const ConfigObject* FindConfigObject(const std::vector<ConfigObject>& objects,
                                     const std::string& name);

}  // namespace i2kit
