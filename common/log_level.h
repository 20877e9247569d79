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

// The name ParseLogLevel reads back: how the agent hands its level to the EC2 reporter.
inline const char* LogLevelName(LogLevel level) {
  switch (level) {
    case LogLevel::kDebug:
      return "debug";
    case LogLevel::kInfo:
      return "info";
    case LogLevel::kWarn:
      return "warn";
    case LogLevel::kError:
      return "error";
    case LogLevel::kOff:
      break;
  }
  return "off";
}

}  // namespace i2kit
