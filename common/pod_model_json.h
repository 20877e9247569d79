// The normalized model as JSON (`i2kit-host validate --output json`): every default filled
// in, every quantity in base units, keys in a stable order so outputs diff cleanly.
#pragma once

#include <nlohmann/json.hpp>

#include "common/pod_model.h"

namespace i2kit {

nlohmann::ordered_json ToJson(const Manifest& manifest);

// The model as indented JSON text; never throws (invalid UTF-8 would be replaced, though the
// readers let none through).
std::string ToJsonText(const Manifest& manifest);

}  // namespace i2kit
