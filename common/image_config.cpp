#include "common/image_config.h"

namespace i2kit {
namespace {

using Json = nlohmann::json;

// Reads `key` of `object` as a list of strings; a missing or null key leaves `out` empty.
Status ReadStrings(const Json& object, const char* key, std::vector<std::string>& out) {
  auto it = object.find(key);
  if (it == object.end() || it->is_null()) return Status::Ok();
  if (!it->is_array()) return Status::Error(std::string(key) + ": expected a list of strings");
  for (const Json& item : *it) {
    if (!item.is_string()) return Status::Error(std::string(key) + ": expected a list of strings");
    out.push_back(item.get<std::string>());
  }
  return Status::Ok();
}

Status ReadString(const Json& object, const char* key, std::string& out) {
  auto it = object.find(key);
  if (it == object.end() || it->is_null()) return Status::Ok();
  if (!it->is_string()) return Status::Error(std::string(key) + ": expected a string");
  out = it->get<std::string>();
  return Status::Ok();
}

// Both forms share field names but not their case: OCI says "Entrypoint", ours "entrypoint".
Result<ImageConfig> Read(const Json& object, const char* entrypoint, const char* cmd,
                         const char* env, const char* user, const char* working_dir) {
  if (!object.is_object()) return Status::Error("image config: expected a JSON object");
  ImageConfig config;
  for (Status s :
       {ReadStrings(object, entrypoint, config.entrypoint), ReadStrings(object, cmd, config.cmd),
        ReadStrings(object, env, config.env), ReadString(object, user, config.user),
        ReadString(object, working_dir, config.working_dir)}) {
    if (!s.ok()) return s.WithContext("image config");
  }
  return config;
}

}  // namespace

Result<ImageConfig> ImageConfigFromOci(const nlohmann::json& image_config) {
  if (!image_config.is_object()) return Status::Error("image config: expected a JSON object");
  auto it = image_config.find("config");
  if (it == image_config.end() || it->is_null()) return ImageConfig{};
  return Read(*it, "Entrypoint", "Cmd", "Env", "User", "WorkingDir");
}

nlohmann::ordered_json ToJson(const ImageConfig& config) {
  return {{"entrypoint", config.entrypoint},
          {"cmd", config.cmd},
          {"env", config.env},
          {"user", config.user},
          {"workingDir", config.working_dir}};
}

Result<ImageConfig> ImageConfigFromJson(const nlohmann::json& json) {
  return Read(json, "entrypoint", "cmd", "env", "user", "workingDir");
}

}  // namespace i2kit
