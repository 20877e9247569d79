#include "common/config_references.h"

#include <algorithm>

namespace i2kit {

std::vector<ConfigReference> ConfigReferences(const Deployment& deployment) {
  std::vector<ConfigReference> out;
  for (const Volume& v : deployment.volumes) {
    if (v.type != VolumeType::kConfigMap && v.type != VolumeType::kSecret) continue;
    bool is_secret = v.type == VolumeType::kSecret;
    std::string user = "volume '" + v.name + "'";
    if (v.items.empty())
      out.push_back({is_secret, v.object_name, "", v.optional, user, deployment.location});
    for (const VolumeItem& item : v.items) {
      out.push_back({is_secret, v.object_name, item.key, v.optional, user, deployment.location});
    }
  }
  auto add_container = [&](const Container& c, const char* what) {
    std::string user = std::string(what) + " '" + c.name + "'";
    for (const EnvFromSource& from : c.env_from) {
      out.push_back(
          {from.is_secret, from.object_name, "", from.optional, user + " envFrom", c.location});
    }
    for (const EnvVar& var : c.env) {
      if (var.source != EnvSource::kConfigMapKey && var.source != EnvSource::kSecretKey) continue;
      out.push_back({var.source == EnvSource::kSecretKey, var.object_name, var.key, var.optional,
                     user + " env " + var.name, c.location});
    }
  };
  for (const Container& c : deployment.init_containers) add_container(c, "init container");
  for (const Container& c : deployment.containers) add_container(c, "container");
  return out;
}

std::vector<ConfigObject> ReferencedConfigMaps(const Deployment& deployment,
                                               const std::vector<ConfigObject>& config_maps) {
  std::vector<ConfigReference> refs = ConfigReferences(deployment);
  std::vector<ConfigObject> out;
  for (const ConfigObject& object : config_maps) {
    bool used = std::any_of(refs.begin(), refs.end(), [&](const ConfigReference& r) {
      return !r.is_secret && r.object_name == object.name;
    });
    if (used) out.push_back(object);
  }
  return out;
}

}  // namespace i2kit
