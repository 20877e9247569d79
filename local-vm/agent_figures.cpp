#include "local-vm/agent_figures.h"

#include <cstdio>
#include <nlohmann/json.hpp>

namespace i2kit {
namespace {

int RestartsOf(const nlohmann::json& list) {
  int restarts = 0;
  if (!list.is_array()) return 0;
  for (const nlohmann::json& c : list) {
    if (c.is_object() && c.contains("restarts") && c["restarts"].is_number_integer()) {
      restarts += c["restarts"].get<int>();
    }
  }
  return restarts;
}

}  // namespace

int AgentFigures::ready_containers() const {
  int ready = 0;
  for (const Container& c : containers) ready += c.ready ? 1 : 0;
  return ready;
}

std::optional<AgentFigures> AgentFiguresFromStatus(std::string_view json) {
  nlohmann::json status = nlohmann::json::parse(json, nullptr, /*allow_exceptions=*/false);
  if (!status.is_object() || !status.contains("containers") || !status["containers"].is_array()) {
    return std::nullopt;
  }
  AgentFigures figures;
  for (const nlohmann::json& c : status["containers"]) {
    if (!c.is_object()) return std::nullopt;
    figures.containers.push_back({c.value("name", ""), c.value("state", ""),
                                  c.value("ready", false), c.value("restarts", 0)});
  }
  figures.restarts = RestartsOf(status["containers"]) +
                     (status.contains("initContainers") ? RestartsOf(status["initContainers"]) : 0);
  if (status.contains("memory") && status["memory"].is_object()) {
    figures.memory_used_bytes = status["memory"].value("usedBytes", int64_t{0});
    figures.memory_total_bytes = status["memory"].value("totalBytes", int64_t{0});
  }
  if (status.contains("cpu") && status["cpu"].is_object() && status["cpu"].contains("percent") &&
      status["cpu"]["percent"].is_number()) {
    figures.cpu_percent = status["cpu"]["percent"].get<double>();
  }
  return figures;
}

std::string FormatCpu(const std::optional<double>& percent) {
  if (!percent) return "-";
  char text[32];
  std::snprintf(text, sizeof text, "%.1f%%", *percent);
  return text;
}

std::string FormatMebibytes(int64_t bytes) {
  return std::to_string((bytes + (1 << 19)) >> 20) + "Mi";
}

}  // namespace i2kit
