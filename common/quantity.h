// Kubernetes resource quantities ("250m", "1", "0.5", "64Mi", "1G", "1e3"), converted to the
// integer units i2kit works in. Rounding is upwards, as Kubernetes rounds a request that is
// finer than the unit it stores.
#pragma once

#include <cstdint>
#include <string_view>

#include "common/status.h"

namespace i2kit {

// CPU in millicores: "250m" → 250, "1" → 1000, "0.1" → 100.
Result<int64_t> ParseCpuMillis(std::string_view text);

// Memory in bytes: "64Mi" → 67108864, "1G" → 1000000000, "128974848" → 128974848.
Result<int64_t> ParseMemoryBytes(std::string_view text);

}  // namespace i2kit
