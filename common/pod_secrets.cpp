#include "common/pod_secrets.h"

#include <nlohmann/json.hpp>

#include "common/base64.h"

namespace i2kit {
namespace {

void Refer(std::map<std::string, bool>& out, const std::string& name, bool optional) {
  if (name.empty()) return;
  auto [it, added] = out.emplace(name, !optional);
  if (!added && !optional) it->second = true;
}

void ReferFromContainer(std::map<std::string, bool>& out, const Container& c) {
  for (const EnvVar& var : c.env) {
    if (var.source == EnvSource::kSecretKey) Refer(out, var.object_name, var.optional);
  }
  for (const EnvFromSource& from : c.env_from) {
    if (from.is_secret) Refer(out, from.object_name, from.optional);
  }
}

}  // namespace

std::map<std::string, bool> ReferencedSecrets(const Deployment& deployment) {
  std::map<std::string, bool> out;
  for (const Volume& v : deployment.volumes) {
    if (v.type == VolumeType::kSecret) Refer(out, v.object_name, v.optional);
  }
  for (const Container& c : deployment.init_containers) ReferFromContainer(out, c);
  for (const Container& c : deployment.containers) ReferFromContainer(out, c);
  return out;
}

std::vector<ConfigObject> SecretsFor(const Deployment& deployment,
                                     const std::vector<ConfigObject>& secrets) {
  std::map<std::string, bool> wanted = ReferencedSecrets(deployment);
  std::map<std::string, const ConfigObject*> by_name;
  for (const ConfigObject& s : secrets) {
    if (wanted.contains(s.name)) by_name.emplace(s.name, &s);
  }
  std::vector<ConfigObject> out;
  for (const auto& [name, secret] : by_name) out.push_back(*secret);
  return out;
}

std::string SecretsToJson(const std::vector<ConfigObject>& secrets) {
  nlohmann::ordered_json list = nlohmann::ordered_json::array();
  for (const ConfigObject& s : secrets) {
    nlohmann::ordered_json data = nlohmann::ordered_json::object();
    for (const auto& [key, value] : s.data) data[key] = Base64Encode(value);
    list.push_back({{"name", s.name}, {"data", data}});
  }
  return nlohmann::ordered_json{{"secrets", list}}.dump();
}

Result<std::vector<ConfigObject>> SecretsFromJson(std::string_view text) {
  nlohmann::json json = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (json.is_discarded() || !json.is_object() || !json.contains("secrets") ||
      !json["secrets"].is_array()) {
    return Status::Error("the secrets are not JSON of the form {\"secrets\":[...]}");
  }
  std::vector<ConfigObject> out;
  for (const nlohmann::json& item : json["secrets"]) {
    if (!item.is_object() || !item.contains("name") || !item["name"].is_string() ||
        !item.contains("data") || !item["data"].is_object()) {
      return Status::Error("a secret lacks its name or data");
    }
    ConfigObject secret;
    secret.name = item["name"].get<std::string>();
    for (const auto& [key, value] : item["data"].items()) {
      std::optional<std::string> bytes =
          value.is_string() ? Base64Decode(value.get<std::string>()) : std::nullopt;
      if (!bytes) return Status::Error("secret " + secret.name + " key " + key + ": not base64");
      secret.data[key] = std::move(*bytes);
    }
    out.push_back(std::move(secret));
  }
  return out;
}

}  // namespace i2kit
