#include "common/pod_spec.h"

#include "common/pod_model_json.h"
#include "common/text_file.h"

namespace i2kit {

nlohmann::ordered_json ToJson(const PodSpec& spec) {
  nlohmann::ordered_json images = nlohmann::ordered_json::array();
  for (const ContainerImage& image : spec.images) {
    images.push_back({{"config", ToJson(image.config)},
                      {"rootfsDevice", image.rootfs_device},
                      {"rootfsPartition", image.rootfs_partition},
                      {"passwd", image.passwd},
                      {"group", image.group},
                      {"digest", image.digest}});
  }
  nlohmann::ordered_json config_maps = nlohmann::ordered_json::array();
  for (const ConfigObject& c : spec.config_maps) config_maps.push_back(ToJson(c));
  return {{"deployment", ToJson(spec.deployment)}, {"images", images}, {"configMaps", config_maps}};
}

const ContainerImage& InitContainerImage(const PodSpec& spec, size_t index) {
  return spec.images.at(spec.deployment.containers.size() + index);
}

Result<PodSpec> PodSpecFromJson(const nlohmann::json& json) {
  if (!json.is_object()) return Status::Error("pod spec: expected a JSON object");
  PodSpec spec;
  Result<Deployment> deployment = DeploymentFromJson(json.value("deployment", nlohmann::json()));
  if (!deployment.ok()) return deployment.status().WithContext("pod spec");
  spec.deployment = std::move(deployment).value();
  const nlohmann::json& images = json.value("images", nlohmann::json());
  size_t image_count = spec.deployment.containers.size() + spec.deployment.init_containers.size();
  if (!images.is_array() || images.size() != image_count) {
    return Status::Error("pod spec: images: expected one entry per container and init container (" +
                         std::to_string(image_count) + ")");
  }
  for (size_t i = 0; i < images.size(); ++i) {
    std::string path = "pod spec: images[" + std::to_string(i) + "]";
    const nlohmann::json& item = images[i];
    if (!item.is_object()) return Status::Error(path + ": expected an object");
    ContainerImage image;
    Result<ImageConfig> config = ImageConfigFromJson(item.value("config", nlohmann::json()));
    if (!config.ok()) return config.status().WithContext(path);
    image.config = *config;
    for (auto [key, out] :
         {std::pair{"rootfsDevice", &image.rootfs_device}, std::pair{"passwd", &image.passwd},
          std::pair{"group", &image.group}, std::pair{"digest", &image.digest},
          std::pair{"rootfsPartition", &image.rootfs_partition}}) {
      auto it = item.find(key);
      if (it == item.end() || !it->is_string()) {
        return Status::Error(path + "." + key + ": expected a string");
      }
      *out = it->get<std::string>();
    }
    spec.images.push_back(std::move(image));
  }
  const nlohmann::json& config_maps = json.value("configMaps", nlohmann::json::array());
  if (!config_maps.is_array()) return Status::Error("pod spec: configMaps: expected a list");
  for (size_t i = 0; i < config_maps.size(); ++i) {
    Result<ConfigObject> object = ConfigObjectFromJson(config_maps[i]);
    if (!object.ok()) {
      return object.status().WithContext("pod spec: configMaps[" + std::to_string(i) + "]");
    }
    spec.config_maps.push_back(std::move(object).value());
  }
  return spec;
}

Result<PodSpec> ReadPodSpec(const std::string& path) {
  Result<std::string> text = ReadFileText(path);
  if (!text.ok()) return text.status().WithContext("reading the pod spec");
  nlohmann::json json = nlohmann::json::parse(*text, nullptr, /*allow_exceptions=*/false);
  if (json.is_discarded()) return Status::Error(path + ": not valid JSON");
  Result<PodSpec> spec = PodSpecFromJson(json);
  if (!spec.ok()) return spec.status().WithContext(path);
  return spec;
}

}  // namespace i2kit
