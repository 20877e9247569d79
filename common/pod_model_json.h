// The normalized model as JSON (`i2kit-host validate --output json`): every default filled
// in, every quantity in base units, keys in a stable order so outputs diff cleanly.
#pragma once

#include <nlohmann/json.hpp>

#include "common/pod_model.h"
#include "common/status.h"

namespace i2kit {

nlohmann::ordered_json ToJson(const Manifest& manifest);
nlohmann::ordered_json ToJson(const Deployment& deployment);
// A ConfigMap with its values in base64, so binaryData survives JSON. Never used for Secrets.
nlohmann::ordered_json ToJson(const ConfigObject& object);

// The way back, for what the host hands to the guest agent: the JSON written by ToJson is read
// into the same model. Errors name the JSON path ("containers[0].ports[1].protocol").
Result<Deployment> DeploymentFromJson(const nlohmann::json& json);
Result<Manifest> ManifestFromJson(const nlohmann::json& json);
Result<ConfigObject> ConfigObjectFromJson(const nlohmann::json& json);

// The model as indented JSON text; never throws (invalid UTF-8 would be replaced, though the
// readers let none through).
std::string ToJsonText(const Manifest& manifest);

}  // namespace i2kit
