#include "common/ec2_logs.h"

#include <cstdio>
#include <ctime>
#include <nlohmann/json.hpp>

namespace i2kit::ec2_logs {

std::string JsonLogMessage(std::string_view level, int64_t unix_ms, std::string_view container,
                           std::string_view message) {
  constexpr size_t kMaxText = 32 * 1024;  // escaped, still far below an event's 256 KiB
  time_t seconds = static_cast<time_t>(unix_ms / 1000);
  tm utc{};
  gmtime_r(&seconds, &utc);
  char stamp[40];
  size_t n = std::strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%S", &utc);
  std::snprintf(stamp + n, sizeof stamp - n, ".%03dZ", static_cast<int>(unix_ms % 1000));
  nlohmann::ordered_json line = {{"level", std::string(level)},
                                 {"time", stamp},
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
