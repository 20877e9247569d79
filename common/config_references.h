// What a Deployment takes from ConfigMaps and Secrets (volumes, env, envFrom, init containers
// too): computed once here, for the checks at validate time and for the Pod spec the image
// builder writes (which carries exactly the ConfigMaps referred to, and never a Secret).
#pragma once

#include <string>
#include <vector>

#include "common/pod_model.h"

namespace i2kit {

struct ConfigReference {
  bool is_secret = false;
  std::string object_name;
  std::string key;  // empty = the whole object (envFrom, a volume without items)
  bool optional = false;
  std::string user;  // who refers to it, for messages: "container 'web' env GREETING"
  SourceLocation location;
};

// Every reference of `deployment`, in the order the Pod spec lists them.
std::vector<ConfigReference> ConfigReferences(const Deployment& deployment);

// The ConfigMaps among `config_maps` that `deployment` refers to, in their order.
std::vector<ConfigObject> ReferencedConfigMaps(const Deployment& deployment,
                                               const std::vector<ConfigObject>& config_maps);

}  // namespace i2kit
