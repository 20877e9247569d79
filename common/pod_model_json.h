// The normalized model as JSON (`i2kit-host validate --output json`): every default filled
// in, every quantity in base units, keys in a stable order so outputs diff cleanly.
#pragma once

#include <nlohmann/json.hpp>

#include "common/pod_model.h"

namespace i2kit {

nlohmann::ordered_json ToJson(const Manifest& manifest);

}  // namespace i2kit
