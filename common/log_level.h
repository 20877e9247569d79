// The levels of every i2kit log — the agent's console, the EC2 reporter's, the host's — and
// their names, as the kernel command line (i2kit.log_level=), `i2kit-host --log-level` and
// I2KIT_LOG_LEVEL spell them.
#pragma once

#include <optional>
#include <string_view>

namespace i2kit {

enum class LogLevel { kDebug, kInfo, kWarn, kError, kOff };

// "debug", "info", "warn", "error" or "off"; nullopt for anything else.
inline std::optional<LogLevel> ParseLogLevel(std::string_view name) {
  if (name == "debug") return LogLevel::kDebug;
  if (name == "info") return LogLevel::kInfo;
  if (name == "warn") return LogLevel::kWarn;
  if (name == "error") return LogLevel::kError;
  if (name == "off") return LogLevel::kOff;
  return std::nullopt;
}

}  // namespace i2kit
