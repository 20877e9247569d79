// What a container image says about how to run it: the part of the OCI image configuration
// (image-spec config.json, "config" object) that the image builder extracts and the guest
// agent merges with the manifest, as Kubernetes does (command replaces Entrypoint, args
// replaces Cmd).
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "common/status.h"

namespace i2kit {

struct ImageConfig {
  std::vector<std::string> entrypoint;
  std::vector<std::string> cmd;
  std::vector<std::string> env;  // "NAME=VALUE"
  std::string user;              // "", "uid", "uid:gid", "name" or "name:group"
  std::string working_dir;       // "" = "/"
  bool operator==(const ImageConfig&) const = default;
};

// Reads the "config" object of an OCI image configuration (missing fields stay empty).
Result<ImageConfig> ImageConfigFromOci(const nlohmann::json& image_config);

// The form stored in a Pod VM's spec, and read back by the agent.
nlohmann::ordered_json ToJson(const ImageConfig& config);
Result<ImageConfig> ImageConfigFromJson(const nlohmann::json& json);

}  // namespace i2kit
