// JSON parsing that reports errors as values: image metadata is untrusted input, and no
// nlohmann exception may leave the library.
#pragma once

#include <nlohmann/json.hpp>
#include <string_view>

#include "common/status.h"

namespace i2kit {

// Parses `text`; the error names `what` (a file or blob) and where the text stopped parsing.
Result<nlohmann::json> ParseJson(std::string_view text, std::string_view what);

// The string at `key` of `object`, or "" when it is missing or not a string.
std::string StringField(const nlohmann::json& object, const char* key);

}  // namespace i2kit
