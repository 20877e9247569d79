#include "common/ec2_logs.h"

#include <nlohmann/json.hpp>

#include "common/console_time.h"

namespace i2kit::ec2_logs {

std::string JsonLogMessage(std::string_view level, int64_t unix_ms, std::string_view container,
                           std::string_view message) {
  constexpr size_t kMaxText = 32 * 1024;  // escaped, still far below an event's 256 KiB
  nlohmann::ordered_json line = {
      {"level", std::string(level)},
      {"time", FormatUtcMillis(WallTime(std::chrono::milliseconds(unix_ms)))},
      {"container", std::string(container)},
      {"message", std::string(message.substr(0, kMaxText))}};
  return line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string TextOfLogMessage(const std::string& message) {
  nlohmann::json line = nlohmann::json::parse(message, nullptr, /*allow_exceptions=*/false);
  if (line.is_object() && line.contains("message") && line["message"].is_string()) {
    return line["message"].get<std::string>();
  }
  return message;
}

}  // namespace i2kit::ec2_logs
