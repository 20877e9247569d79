#include "guest-agent/env_resolution.h"

namespace i2kit {
namespace {

// A resolved value, protected from $(VAR) expansion: "$$" expands back to "$".
std::string Escaped(const std::string& value) {
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    out += c;
    if (c == '$') out += '$';
  }
  return out;
}

const char* KindName(bool is_secret) {
  return is_secret ? "Secret" : "ConfigMap";
}

}  // namespace

bool IsEnvVarName(const std::string& name) {
  if (name.empty() || (name[0] >= '0' && name[0] <= '9')) return false;
  for (char c : name) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '-' || c == '.';
    if (!ok) return false;
  }
  return true;
}

const ConfigObject* FindConfigObject(const std::vector<ConfigObject>& objects,
                                     const std::string& name) {
  for (const ConfigObject& o : objects) {
    if (o.name == name) return &o;
  }
  return nullptr;
}

Result<std::vector<EnvVar>> ResolveEnvironment(
    const Container& container, const EnvSources& sources,
    const std::function<void(const std::string&)>& note) {
  static const std::vector<ConfigObject> kNone;
  const std::vector<ConfigObject>& config_maps =
      sources.config_maps != nullptr ? *sources.config_maps : kNone;
  const std::vector<ConfigObject>& secrets = sources.secrets != nullptr ? *sources.secrets : kNone;
  std::vector<EnvVar> out;
  for (const EnvFromSource& from : container.env_from) {
    const ConfigObject* object =
        FindConfigObject(from.is_secret ? secrets : config_maps, from.object_name);
    if (object == nullptr) {
      if (from.optional) continue;
      return Status::Error("envFrom: " + std::string(KindName(from.is_secret)) + " " +
                           from.object_name + " not found");
    }
    for (const auto& [key, value] : object->data) {
      std::string name = from.prefix + key;
      if (!IsEnvVarName(name)) {
        if (note)
          note("envFrom " + from.object_name + ": skipped key " + key + ": '" + name +
               "' is not a valid variable name");
        continue;
      }
      if (value.find('\0') != std::string::npos) {
        if (note)
          note("envFrom " + from.object_name + ": skipped key " + key +
               ": its value holds a NUL byte");
        continue;
      }
      out.push_back(LiteralEnvVar(name, Escaped(value)));
    }
  }
  for (const EnvVar& var : container.env) {
    switch (var.source) {
      case EnvSource::kValue:
        out.push_back(LiteralEnvVar(var.name, var.value));
        break;
      case EnvSource::kConfigMapKey:
      case EnvSource::kSecretKey: {
        bool is_secret = var.source == EnvSource::kSecretKey;
        const ConfigObject* object =
            FindConfigObject(is_secret ? secrets : config_maps, var.object_name);
        std::string where = "env " + var.name + ": " + KindName(is_secret) + " " + var.object_name;
        if (object == nullptr) {
          if (var.optional) break;
          return Status::Error(where + " not found");
        }
        auto found = object->data.find(var.key);
        if (found == object->data.end()) {
          if (var.optional) break;
          return Status::Error(where + " has no key " + var.key);
        }
        out.push_back(LiteralEnvVar(var.name, Escaped(found->second)));
        break;
      }
      case EnvSource::kPodField: {
        if (sources.facts == nullptr || sources.pod == nullptr) {
          return Status::Error("env " + var.name + ": the Pod's fields are unknown here");
        }
        Result<std::string> value =
            ResolvePodField(var.field, *sources.facts, *sources.pod, container.name);
        if (!value.ok()) return value.status().WithContext("env " + var.name);
        out.push_back(LiteralEnvVar(var.name, Escaped(*value)));
        break;
      }
    }
  }
  return out;
}

}  // namespace i2kit
