#include "common/exec_frames.h"

#include <nlohmann/json.hpp>

namespace i2kit {

std::string EncodeExecRequest(const ExecRequest& request) {
  nlohmann::ordered_json json = {{"key", request.key},         {"container", request.container},
                                 {"command", request.command}, {"tty", request.tty},
                                 {"env", request.env},         {"rows", request.rows},
                                 {"cols", request.cols}};
  return json.dump() + "\n";
}

Result<ExecRequest> DecodeExecRequest(std::string_view line) {
  nlohmann::json json = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
  if (!json.is_object()) return Status::Error("exec request: not a JSON object");
  ExecRequest request;
  auto text = [&](const char* field, std::string& out) -> Status {
    if (!json.contains(field) || !json[field].is_string()) {
      return Status::Error(std::string("exec request: ") + field + " must be a string");
    }
    out = json[field].get<std::string>();
    return Status::Ok();
  };
  auto list = [&](const char* field, std::vector<std::string>& out) -> Status {
    if (!json.contains(field)) return Status::Ok();
    if (!json[field].is_array()) {
      return Status::Error(std::string("exec request: ") + field + " must be a list");
    }
    for (const nlohmann::json& item : json[field]) {
      if (!item.is_string()) {
        return Status::Error(std::string("exec request: ") + field + " must hold strings");
      }
      out.push_back(item.get<std::string>());
    }
    return Status::Ok();
  };
  for (Status s : {text("key", request.key), text("container", request.container),
                   list("command", request.command), list("env", request.env)}) {
    if (!s.ok()) return s;
  }
  if (request.command.empty()) return Status::Error("exec request: command is empty");
  for (auto [field, out] :
       {std::pair<const char*, int*>{"rows", &request.rows}, {"cols", &request.cols}}) {
    if (!json.contains(field)) continue;
    if (!json[field].is_number_integer() || json[field].get<int>() < 0 ||
        json[field].get<int>() > 10000) {
      return Status::Error(std::string("exec request: ") + field + " must be 0-10000");
    }
    *out = json[field].get<int>();
  }
  if (json.contains("tty")) {
    if (!json["tty"].is_boolean()) return Status::Error("exec request: tty must be true or false");
    request.tty = json["tty"].get<bool>();
  }
  return request;
}

std::string EncodeExecFrame(ExecFrameType type, std::string_view data) {
  std::string frame(5, '\0');
  frame[0] = static_cast<char>(type);
  uint32_t size = static_cast<uint32_t>(data.size());
  for (int i = 0; i < 4; ++i) frame[1 + i] = static_cast<char>((size >> (24 - 8 * i)) & 0xff);
  frame.append(data);
  return frame;
}

Result<std::optional<ExecFrame>> TakeExecFrame(std::string& buffer) {
  if (buffer.size() < 5) return std::optional<ExecFrame>();
  uint8_t type = static_cast<uint8_t>(buffer[0]);
  if (type > static_cast<uint8_t>(ExecFrameType::kError)) {
    return Status::Error("exec stream: unknown frame type " + std::to_string(type));
  }
  uint32_t size = 0;
  for (int i = 0; i < 4; ++i) size = (size << 8) | static_cast<uint8_t>(buffer[1 + i]);
  if (size > kMaxExecFrameBytes) {
    return Status::Error("exec stream: frame of " + std::to_string(size) + " bytes");
  }
  if (buffer.size() < 5 + size) return std::optional<ExecFrame>();
  ExecFrame frame{static_cast<ExecFrameType>(type), buffer.substr(5, size)};
  buffer.erase(0, 5 + size);
  return std::optional<ExecFrame>(std::move(frame));
}

}  // namespace i2kit
