#include "common/kubernetes_env.h"

#include "common/names.h"
#include "common/quantity.h"

namespace i2kit {
namespace {

// Fields a Pod VM cannot give truthfully, and why.
struct RefusedField {
  std::string_view path;
  std::string_view why;
};

constexpr RefusedField kRefusedFields[] = {
    {"metadata.uid", "no API server assigns Pods a uid here"},
    {"metadata.annotations", "i2kit keeps no annotations"},
    {"spec.nodeName", "there are no nodes: each Pod is its own VM"},
    {"spec.serviceAccountName", "there is no Kubernetes API server and no service account"},
    {"status.hostIP",
     "it names the node, used to reach node agents (DaemonSets); a Pod VM is its own node and "
     "runs none"},
    {"status.hostIPs",
     "it names the node, used to reach node agents (DaemonSets); a Pod VM is its own node and "
     "runs none"},
};

// "metadata.labels['KEY']" → KEY, or nullopt when `field` is not subscripted.
std::optional<std::string> LabelSubscript(std::string_view field, std::string_view prefix) {
  if (!field.starts_with(prefix)) return std::nullopt;
  std::string_view rest = field.substr(prefix.size());
  if (rest.size() < 4 || !rest.starts_with("['") || !rest.ends_with("']")) return std::nullopt;
  return std::string(rest.substr(2, rest.size() - 4));
}

// Kubernetes allows only these divisors (core/v1 validation of resourceFieldRef).
bool AllowedDivisor(bool cpu, int64_t divisor) {
  if (cpu) return divisor == 1 || divisor == 1000;
  for (int64_t d :
       {int64_t{1}, int64_t{1000}, int64_t{1000000}, int64_t{1000000000}, int64_t{1000000000000},
        int64_t{1000000000000000}, int64_t{1000000000000000000}, int64_t{1} << 10, int64_t{1} << 20,
        int64_t{1} << 30, int64_t{1} << 40, int64_t{1} << 50, int64_t{1} << 60}) {
    if (divisor == d) return true;
  }
  return false;
}

// configMapKeyRef / secretKeyRef: {name, key, optional}.
void ReadKeyRef(const YamlContext& ctx, const YAML::Node& node, const std::string& path,
                EnvVar& var) {
  YamlFields fields(ctx, node, path);
  if (!fields.is_mapping()) return;
  if (auto name = fields.Require("name", "the name of a ConfigMap or Secret in the files given")) {
    if (auto text = ReadString(ctx, *name, fields.Child("name"))) {
      if (std::string why = CheckDns1123Subdomain(*text); !why.empty()) {
        ctx.Error(*name, fields.Child("name") + ": '" + *text + "' is not a valid name: " + why,
                  "a DNS-1123 subdomain");
      }
      var.object_name = *text;
    }
  }
  if (auto key = fields.Require("key", "a key of the object")) {
    if (auto text = ReadString(ctx, *key, fields.Child("key"))) {
      if (std::string why = CheckConfigKey(*text); !why.empty()) {
        ctx.Error(*key, fields.Child("key") + ": '" + *text + "' is not a valid key: " + why,
                  "letters, digits, '-', '_' or '.'");
      }
      var.key = *text;
    }
  }
  var.optional = fields.Bool("optional").value_or(false);
  fields.WarnUnknown();
}

}  // namespace

std::optional<PodField> ReadFieldRef(const YamlContext& ctx, const YAML::Node& node,
                                     const std::string& path, FieldRefUse use) {
  YamlFields fields(ctx, node, path);
  if (!fields.is_mapping()) return std::nullopt;
  if (auto version = fields.String("apiVersion"); version && *version != "v1") {
    ctx.Error(*fields.Get("apiVersion"),
              fields.Child("apiVersion") + ": '" + *version + "' is not the Pod's API version",
              "v1");
  }
  auto field_node = fields.Require("fieldPath",
                                   "metadata.name, metadata.namespace, "
                                   "metadata.labels['KEY'] or status.podIP");
  fields.WarnUnknown();
  if (!field_node) return std::nullopt;
  auto text = ReadString(ctx, *field_node, fields.Child("fieldPath"));
  if (!text) return std::nullopt;
  std::string where = fields.Child("fieldPath") + ": '" + *text + "'";
  PodField field;
  field.field_path = *text;
  if (*text == "metadata.name" || *text == "metadata.namespace") return field;
  if (auto key = LabelSubscript(*text, "metadata.labels")) {
    if (std::string why = CheckLabelKey(*key); !why.empty()) {
      ctx.Error(*field_node, where + ": invalid label key: " + why, "a label key");
      return std::nullopt;
    }
    return field;
  }
  if (use == FieldRefUse::kVolume && *text == "metadata.labels") return field;
  if (use == FieldRefUse::kEnv && (*text == "status.podIP" || *text == "status.podIPs")) {
    // A Pod VM has one address, so the list of its addresses is that one address.
    field.field_path = "status.podIP";
    return field;
  }
  std::string_view base = std::string_view(*text).substr(0, text->find('['));
  for (const RefusedField& refused : kRefusedFields) {
    if (refused.path == base) {
      ctx.Error(*field_node, where + " is not supported by i2kit: " + std::string(refused.why),
                use == FieldRefUse::kEnv ? "metadata.name, metadata.namespace, "
                                           "metadata.labels['KEY'] or status.podIP"
                                         : "metadata.name, metadata.namespace, metadata.labels "
                                           "or metadata.labels['KEY']");
      return std::nullopt;
    }
  }
  ctx.Error(*field_node,
            where + (use == FieldRefUse::kEnv ? " cannot be an environment variable"
                                              : " cannot be a downwardAPI file"),
            use == FieldRefUse::kEnv
                ? "metadata.name, metadata.namespace, metadata.labels['KEY'] or status.podIP"
                : "metadata.name, metadata.namespace, metadata.labels or metadata.labels['KEY']");
  return std::nullopt;
}

std::optional<PodField> ReadResourceFieldRef(const YamlContext& ctx, const YAML::Node& node,
                                             const std::string& path, FieldRefUse use,
                                             const std::set<std::string>& containers) {
  YamlFields fields(ctx, node, path);
  if (!fields.is_mapping()) return std::nullopt;
  int errors_before = ctx.diagnostics->error_count();
  PodField field;
  constexpr std::string_view kResources =
      "limits.cpu, limits.memory, requests.cpu or requests.memory";
  if (auto resource = fields.Require("resource", kResources)) {
    if (auto text = ReadString(ctx, *resource, fields.Child("resource"))) {
      if (*text == "limits.cpu" || *text == "limits.memory" || *text == "requests.cpu" ||
          *text == "requests.memory") {
        field.resource = *text;
      } else if (text->find("ephemeral-storage") != std::string::npos) {
        ctx.Error(*resource,
                  fields.Child("resource") + ": '" + *text +
                      "' is not supported by i2kit: a Pod VM's disk is sized by its images",
                  std::string(kResources));
      } else {
        ctx.Error(*resource, fields.Child("resource") + ": unknown resource '" + *text + "'",
                  std::string(kResources));
      }
    }
  }
  if (auto name = fields.Get("containerName")) {
    if (auto text = ReadString(ctx, *name, fields.Child("containerName"))) {
      if (!containers.count(*text)) {
        ctx.Error(
            *name,
            fields.Child("containerName") + ": no container of the Pod is named '" + *text + "'",
            "the name of one of the Pod's containers");
      }
      field.container = *text;
    }
  } else if (use == FieldRefUse::kVolume) {
    ctx.Error(node, fields.Child("containerName") + ": missing",
              "the container whose resources the file shows (Kubernetes requires it in volumes)");
  }
  if (auto divisor = fields.Get("divisor")) {
    bool cpu = field.resource.ends_with(".cpu");
    std::string text = divisor->IsScalar() ? divisor->Scalar() : "";
    Result<int64_t> value = cpu ? ParseCpuMillis(text) : ParseMemoryBytes(text);
    if (!value.ok() || !AllowedDivisor(cpu, *value)) {
      ctx.Error(*divisor,
                fields.Child("divisor") + ": '" + text + "' is not a divisor of " +
                    (cpu ? "CPU" : "memory"),
                cpu ? "1m or 1" : "1, 1k, 1M, 1G, 1T, 1P, 1E, 1Ki, 1Mi, 1Gi, 1Ti, 1Pi or 1Ei");
    } else {
      field.divisor = *value;
    }
  }
  fields.WarnUnknown();
  if (ctx.diagnostics->error_count() != errors_before) return std::nullopt;
  return field;
}

std::vector<EnvVar> ReadEnv(const YamlContext& ctx, const YAML::Node& node, const std::string& path,
                            const std::set<std::string>& containers) {
  std::vector<EnvVar> env;
  if (!node.IsSequence()) {
    ctx.Error(node, path + ": got " + std::string(YamlKindName(node)),
              "a list of {name, value} or {name, valueFrom}");
    return env;
  }
  std::set<std::string> seen;
  for (size_t i = 0; i < node.size(); ++i) {
    YamlFields fields(ctx, node[i], path + "[" + std::to_string(i) + "]");
    if (!fields.is_mapping()) continue;
    EnvVar var;
    if (auto name = fields.Require("name", "a variable name")) {
      if (auto text = ReadString(ctx, *name, fields.Child("name"))) {
        if (std::string why = CheckEnvVarName(*text); !why.empty()) {
          ctx.Error(*name, fields.Child("name") + ": '" + *text + "': " + why,
                    "a variable name without '='");
        } else if (!seen.insert(*text).second) {
          ctx.Warning(*name,
                      fields.Child("name") + ": '" + *text + "' is set twice; the last value wins");
        }
        var.name = *text;
      }
    }
    auto value = fields.String("value");
    if (value) var.value = *value;
    if (auto from = fields.Get("valueFrom")) {
      if (value && !value->empty()) {
        ctx.Error(*from, fields.Child("valueFrom") + ": given with a value",
                  "either value or valueFrom");
      }
      YamlFields vf(ctx, *from, fields.Child("valueFrom"));
      int sources = 0;
      if (auto ref = vf.Get("configMapKeyRef")) {
        ++sources;
        var.source = EnvSource::kConfigMapKey;
        ReadKeyRef(ctx, *ref, vf.Child("configMapKeyRef"), var);
      }
      if (auto ref = vf.Get("secretKeyRef")) {
        ++sources;
        var.source = EnvSource::kSecretKey;
        ReadKeyRef(ctx, *ref, vf.Child("secretKeyRef"), var);
      }
      if (auto ref = vf.Get("fieldRef")) {
        ++sources;
        var.source = EnvSource::kPodField;
        if (auto field = ReadFieldRef(ctx, *ref, vf.Child("fieldRef"), FieldRefUse::kEnv))
          var.field = *field;
      }
      if (auto ref = vf.Get("resourceFieldRef")) {
        ++sources;
        var.source = EnvSource::kPodField;
        if (auto field = ReadResourceFieldRef(ctx, *ref, vf.Child("resourceFieldRef"),
                                              FieldRefUse::kEnv, containers)) {
          var.field = *field;
        }
      }
      vf.Unsupported("fileKeyRef", "there is no node file system to read from; use a ConfigMap");
      if (vf.is_mapping() && sources != 1) {
        ctx.Error(*from, vf.path() + ": has " + std::to_string(sources) + " sources",
                  "exactly one of configMapKeyRef, secretKeyRef, fieldRef, resourceFieldRef");
      }
      vf.WarnUnknown();
    }
    fields.WarnUnknown();
    env.push_back(var);
  }
  return env;
}

std::vector<EnvFromSource> ReadEnvFrom(const YamlContext& ctx, const YAML::Node& node,
                                       const std::string& path) {
  std::vector<EnvFromSource> out;
  if (!node.IsSequence()) {
    ctx.Error(node, path + ": got " + std::string(YamlKindName(node)),
              "a list of {configMapRef or secretRef, prefix}");
    return out;
  }
  for (size_t i = 0; i < node.size(); ++i) {
    YamlFields fields(ctx, node[i], path + "[" + std::to_string(i) + "]");
    if (!fields.is_mapping()) continue;
    EnvFromSource source;
    int refs = 0;
    for (const char* key : {"configMapRef", "secretRef"}) {
      auto ref = fields.Get(key);
      if (!ref) continue;
      ++refs;
      source.is_secret = std::string_view(key) == "secretRef";
      YamlFields rf(ctx, *ref, fields.Child(key));
      if (auto name = rf.Require("name", "the name of a ConfigMap or Secret in the files given")) {
        source.object_name = ReadString(ctx, *name, rf.Child("name")).value_or("");
      }
      source.optional = rf.Bool("optional").value_or(false);
      rf.WarnUnknown();
    }
    if (refs != 1) {
      ctx.Error(node[i], fields.path() + ": has " + std::to_string(refs) + " sources",
                "exactly one of configMapRef and secretRef");
    }
    if (auto prefix = fields.String("prefix")) {
      if (std::string why = CheckEnvVarName(*prefix); !prefix->empty() && !why.empty()) {
        ctx.Error(*fields.Get("prefix"), fields.Child("prefix") + ": '" + *prefix + "': " + why,
                  "the start of a variable name");
      }
      source.prefix = *prefix;
    }
    fields.WarnUnknown();
    out.push_back(source);
  }
  return out;
}

}  // namespace i2kit
