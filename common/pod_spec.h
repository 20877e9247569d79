// The Pod spec baked into every Pod VM's initrd (pod_vm::kPodSpecPath): the validated
// Deployment plus, per container, what the image builder learned from its image. The host
// writes it; the guest agent reads it and needs nothing else to start the Pod.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "common/image_config.h"
#include "common/pod_model.h"
#include "common/status.h"

namespace i2kit {

// What the agent needs to know about one container's image.
struct ContainerImage {
  ImageConfig config;
  std::string rootfs_device;  // the block device holding its EROFS root, e.g. "/dev/vda"
  // The GPT name of the partition holding the same root on the bootable disk (disk.raw),
  // used instead of rootfs_device when the kernel command line says so (pod_vm.h).
  std::string rootfs_partition;
  std::string passwd;  // the image's /etc/passwd and /etc/group, for user names
  std::string group;
  std::string digest;  // the image manifest's digest, for logs and /status
  bool operator==(const ContainerImage&) const = default;
};

struct PodSpec {
  Deployment deployment;
  // One per container, in the same order, then one per init container, in theirs.
  std::vector<ContainerImage> images;
  // The ConfigMaps the deployment refers to (volumes, env, envFrom): configuration is built
  // in. Secrets never are: the agent fetches them at boot.
  std::vector<ConfigObject> config_maps;
};

// The image of the `index`-th init container (its images follow the containers').
const ContainerImage& InitContainerImage(const PodSpec& spec, size_t index);

nlohmann::ordered_json ToJson(const PodSpec& spec);
// Fails when the JSON does not describe a Pod (with the path of the bad field) or when the
// images do not match the containers and init containers one to one.
Result<PodSpec> PodSpecFromJson(const nlohmann::json& json);
// Reads and parses the file at `path`.
Result<PodSpec> ReadPodSpec(const std::string& path);

}  // namespace i2kit
