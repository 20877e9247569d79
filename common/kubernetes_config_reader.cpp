// ConfigMap and Secret objects: keys to bytes, checked as the API server checks them, so that
// what a Pod refers to is known to exist before any VM is built.
#include <map>
#include <string>

#include "common/base64.h"
#include "common/kubernetes_reader.h"
#include "common/names.h"

namespace i2kit {
namespace {

// The API server's limit on one object's data (etcd's request size).
constexpr size_t kMaxConfigBytes = 1024 * 1024;

// Secret types with keys the API server requires (core/v1 validation).
struct SecretType {
  std::string_view type;
  std::vector<std::string_view> required;  // every one of these keys
  bool any_of = false;                     // one of `required` is enough
};

const SecretType kSecretTypes[] = {
    {"Opaque", {}},
    {"kubernetes.io/tls", {"tls.crt", "tls.key"}},
    {"kubernetes.io/basic-auth", {"username", "password"}, true},
    {"kubernetes.io/ssh-auth", {"ssh-privatekey"}},
    {"kubernetes.io/dockerconfigjson", {".dockerconfigjson"}},
    {"kubernetes.io/dockercfg", {".dockercfg"}},
    {"bootstrap.kubernetes.io/token", {"token-id", "token-secret"}},
};

// Reads one data map into `out`; `base64` decodes each value strictly (as the API server).
// A key already in `out` is an error naming `other`, the map that holds it first.
void ReadData(const YamlContext& ctx, YamlFields& object, std::string_view key, bool base64,
              std::string_view other, std::map<std::string, std::string>& out,
              bool overrides = false) {
  auto node = object.Get(key);
  if (!node) return;
  std::string path(key);
  auto map = ReadStringMap(ctx, *node, path);
  if (!map) return;
  for (auto it = node->begin(); it != node->end(); ++it) {
    if (!it->first.IsScalar()) continue;
    const std::string& name = it->first.Scalar();
    std::string child = path + "." + name;
    if (std::string why = CheckConfigKey(name); !why.empty()) {
      ctx.Error(it->first, child + ": '" + name + "' is not a valid key: " + why,
                "1-253 letters, digits, '-', '_' or '.' (each key becomes a file name)");
      continue;
    }
    std::string value = (*map)[name];
    if (base64) {
      std::optional<std::string> decoded = Base64Decode(value);
      if (!decoded) {
        ctx.Error(it->second, child + ": is not valid base64",
                  "standard base64 with padding, as the Kubernetes API requires; put plain "
                  "text under stringData");
        continue;
      }
      value = std::move(*decoded);
    }
    if (!overrides && out.count(name)) {
      ctx.Error(it->first, child + ": key '" + name + "' is also in " + std::string(other),
                "each key in one of data and binaryData");
      continue;
    }
    out[name] = std::move(value);
  }
}

void CheckSecretType(const YamlContext& ctx, YamlFields& object, const ConfigObject& secret) {
  auto type = object.String("type");
  if (!type) return;  // Opaque
  if (*type == "kubernetes.io/service-account-token") {
    ctx.Error(*object.Get("type"),
              "type: kubernetes.io/service-account-token is not supported by i2kit: its token "
              "is filled in by a Kubernetes API server, and there is none here",
              "Opaque, or another type whose data you give");
    return;
  }
  for (const SecretType& known : kSecretTypes) {
    if (known.type != *type) continue;
    std::vector<std::string> missing;
    for (std::string_view key : known.required) {
      if (!secret.data.count(std::string(key))) missing.emplace_back(key);
    }
    bool ok = known.any_of ? missing.size() < known.required.size() : missing.empty();
    if (!ok) {
      std::string keys;
      for (const std::string& k : missing) keys += (keys.empty() ? "" : ", ") + k;
      ctx.Error(*object.Get("type"),
                "type: " + *type + " needs the key" + (missing.size() > 1 ? "s " : " ") + keys,
                known.any_of ? "one of them in data or stringData"
                             : "every one of them in data or stringData");
    }
    return;
  }
  // Any other type is a user-defined one, free-form as in Kubernetes.
}

}  // namespace

void ReadConfigObject(const YamlContext& ctx, YamlFields& object, bool is_secret, Manifest& out) {
  int errors_before = ctx.diagnostics->error_count();
  ConfigObject config;
  config.location = ctx.Where(object.node());
  auto meta = ReadMetadata(ctx, object, CheckDns1123Subdomain,
                           "a DNS-1123 subdomain: lower-case letters, digits, '-' and '.'");
  if (meta) config.name = meta->name;
  if (is_secret) {
    ReadData(ctx, object, "data", true, "", config.data);
    // stringData is merged over data, as the API server does on write.
    ReadData(ctx, object, "stringData", false, "", config.data, true);
    CheckSecretType(ctx, object, config);
  } else {
    ReadData(ctx, object, "data", false, "binaryData", config.data);
    ReadData(ctx, object, "binaryData", true, "data", config.data);
  }
  // A Pod VM is immutable: whatever it was built or booted with stays until it is replaced.
  object.Bool("immutable");
  size_t bytes = 0;
  for (const auto& [key, value] : config.data) bytes += key.size() + value.size();
  if (bytes > kMaxConfigBytes) {
    ctx.Error(object.node(),
              std::string(is_secret ? "Secret" : "ConfigMap") + " '" + config.name + "' holds " +
                  std::to_string(bytes) + " bytes",
              "at most 1 MiB, the Kubernetes API's limit");
  }
  object.WarnUnknown();
  if (ctx.diagnostics->error_count() != errors_before) return;
  (is_secret ? out.secrets : out.config_maps).push_back(std::move(config));
}

}  // namespace i2kit
