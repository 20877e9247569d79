#include "ec2-reporter/agent_status.h"

#include <nlohmann/json.hpp>

namespace i2kit::reporter {
namespace {

using Json = nlohmann::json;

// The member `key` of `object` if it has type `type`, else nullptr.
const Json* Member(const Json& object, const char* key, Json::value_t type) {
  auto it = object.find(key);
  if (it == object.end()) return nullptr;
  bool matches = it->type() == type || (type == Json::value_t::number_integer &&
                                        it->type() == Json::value_t::number_unsigned);
  return matches ? &*it : nullptr;
}

}  // namespace

Result<AgentReport> ParseAgentStatus(std::string_view text) {
  Json json = Json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!json.is_object()) return Status::Error("agent /status: not a JSON object");
  auto missing = [](std::string what) {
    return Status::Error("agent /status: no " + what + " of the expected type");
  };
  AgentReport report;
  const Json* ready = Member(json, "ready", Json::value_t::boolean);
  const Json* shutting_down = Member(json, "shuttingDown", Json::value_t::boolean);
  const Json* containers = Member(json, "containers", Json::value_t::array);
  const Json* memory = Member(json, "memory", Json::value_t::object);
  if (!ready || !shutting_down || !containers || !memory) {
    return missing("ready, shuttingDown, containers or memory");
  }
  report.ready = ready->get<bool>();
  report.shutting_down = shutting_down->get<bool>();
  const Json* used = Member(*memory, "usedBytes", Json::value_t::number_integer);
  if (!used) return missing("memory.usedBytes");
  report.memory_used_bytes = used->get<int64_t>();
  for (const Json& c : *containers) {
    if (!c.is_object()) return missing("container object");
    const Json* name = Member(c, "name", Json::value_t::string);
    const Json* state = Member(c, "state", Json::value_t::string);
    const Json* container_ready = Member(c, "ready", Json::value_t::boolean);
    const Json* restarts = Member(c, "restarts", Json::value_t::number_integer);
    const Json* reason = Member(c, "reason", Json::value_t::string);
    if (!name || !state || !container_ready || !restarts || !reason) {
      return missing("name, state, ready, restarts or reason in a container");
    }
    ContainerReport container{name->get<std::string>(),     state->get<std::string>(),
                              container_ready->get<bool>(), restarts->get<int>(),
                              reason->get<std::string>(),   std::nullopt};
    if (const Json* code = Member(c, "lastExitCode", Json::value_t::number_integer)) {
      container.last_exit_code = code->get<int>();
    }
    report.containers.push_back(std::move(container));
  }
  return report;
}

std::string DescribeNotReady(const AgentReport& report) {
  std::string text;
  for (const ContainerReport& c : report.containers) {
    if (c.state == "running" && c.ready) continue;
    if (!text.empty()) text += ", ";
    text += c.name + " (" + c.state;
    if (!c.reason.empty()) text += ", " + c.reason;
    if (c.last_exit_code) text += ", exit " + std::to_string(*c.last_exit_code);
    if (c.state == "running") text += ", not ready";
    text += ")";
  }
  if (text.empty()) text = report.containers.empty() ? "no containers" : "the Pod is shutting down";
  return text;
}

AgentClient::AgentClient(aws::HttpTransport& transport, aws::ServiceEndpoint endpoint)
    : transport_(transport), endpoint_(std::move(endpoint)) {}

Result<LogPage> ParseLogPage(std::string_view text) {
  Json json = Json::parse(text, nullptr, /*allow_exceptions=*/false);
  const Json* first =
      json.is_object() ? Member(json, "first", Json::value_t::number_integer) : nullptr;
  const Json* next =
      json.is_object() ? Member(json, "next", Json::value_t::number_integer) : nullptr;
  const Json* lines = json.is_object() ? Member(json, "lines", Json::value_t::array) : nullptr;
  if (!first || !next || !lines) return Status::Error("agent /logs: no first, next or lines");
  LogPage page{first->get<uint64_t>(), next->get<uint64_t>(), {}};
  for (const Json& line : *lines) {
    const Json* source = line.is_object() ? Member(line, "source", Json::value_t::string) : nullptr;
    const Json* body = line.is_object() ? Member(line, "text", Json::value_t::string) : nullptr;
    if (!source || !body) return Status::Error("agent /logs: a line without source or text");
    std::string container = source->get<std::string>();
    container = container.substr(0, container.find('/'));  // "web/stderr" → "web"
    const Json* level = Member(line, "level", Json::value_t::string);
    page.lines.push_back({std::move(container), body->get<std::string>(),
                          level ? ParseLogLevel(level->get<std::string>()).value_or(LogLevel::kInfo)
                                : LogLevel::kInfo});
  }
  return page;
}

Result<std::string> AgentClient::Get(const std::string& path) {
  aws::HttpRequest request;
  request.method = "GET";
  request.path = path;
  aws::HttpExchange exchange = transport_.Send(endpoint_, request);
  if (!exchange.response) return Status::Error("agent " + endpoint_.Url() + ": " + exchange.error);
  if (exchange.response->status != 200) {
    return Status::Error("agent " + path + ": HTTP " + std::to_string(exchange.response->status));
  }
  return std::move(exchange.response->body);
}

Result<AgentReport> AgentClient::Status() {
  Result<std::string> body = Get("/status");
  if (!body.ok()) return body.status();
  return ParseAgentStatus(*body);
}

Result<LogPage> AgentClient::LogsFrom(uint64_t since) {
  Result<std::string> body = Get("/logs?since=" + std::to_string(since));
  if (!body.ok()) return body.status();
  return ParseLogPage(*body);
}

}  // namespace i2kit::reporter
