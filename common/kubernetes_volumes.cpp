#include "common/kubernetes_volumes.h"

#include <algorithm>
#include <map>

#include "common/kubernetes_env.h"
#include "common/kubernetes_reader.h"
#include "common/names.h"
#include "common/quantity.h"

namespace i2kit {
namespace {

constexpr std::string_view kVolumeKinds =
    "emptyDir, configMap, secret, downwardAPI, projected (one of those) or "
    "persistentVolumeClaim";

// A file mode: 0-0777, written in octal (0644, YAML 1.1 as Kubernetes reads it, or 0o644)
// or in decimal (420, as JSON manifests carry it).
std::optional<int> ReadFileMode(const YamlContext& ctx, const YAML::Node& node,
                                const std::string& path) {
  std::string text = node.IsScalar() ? node.Scalar() : "";
  int base = 10;
  std::string digits = text;
  if (text.starts_with("0o")) {
    base = 8;
    digits = text.substr(2);
  } else if (text.size() > 1 && text[0] == '0') {
    base = 8;
    digits = text.substr(1);
  }
  bool ok = node.IsScalar() && node.Tag() != "!" && !digits.empty() && digits.size() <= 4 &&
            digits.find_first_not_of(base == 8 ? "01234567" : "0123456789") == std::string::npos;
  int value = ok ? std::stoi(digits, nullptr, base) : -1;
  if (value < 0 || value > 0777) {
    ctx.Error(node, path + ": '" + text + "' is not a file mode",
              "permission bits from 0 to 0777, such as 0644 (or 420 in decimal)");
    return std::nullopt;
  }
  return value;
}

// A path inside a volume: relative, without a ".." component (Kubernetes' rule).
std::string CheckRelativePath(std::string_view p) {
  if (p.empty()) return "it is empty";
  if (p.front() == '/') return "it is absolute";
  size_t start = 0;
  while (start <= p.size()) {
    size_t slash = p.find('/', start);
    std::string_view part =
        p.substr(start, slash == std::string_view::npos ? slash : slash - start);
    if (part == "..") return "it has a '..' component";
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  return {};
}

// items: [{key, path, mode}] of a configMap or secret, or [{path, fieldRef |
// resourceFieldRef, mode}] of a downwardAPI volume.
void ReadItems(const YamlContext& ctx, const YAML::Node& node, const std::string& path,
               bool downward, const std::set<std::string>& containers, Volume& v) {
  if (!node.IsSequence()) {
    ctx.Error(
        node, path + ": got " + std::string(YamlKindName(node)),
        downward ? "a list of {path, fieldRef or resourceFieldRef}" : "a list of {key, path}");
    return;
  }
  std::set<std::string> paths;
  for (size_t i = 0; i < node.size(); ++i) {
    YamlFields fields(ctx, node[i], path + "[" + std::to_string(i) + "]");
    if (!fields.is_mapping()) continue;
    VolumeItem item;
    if (auto p = fields.Require("path", "a relative file path inside the volume")) {
      if (auto text = ReadString(ctx, *p, fields.Child("path"))) {
        if (std::string why = CheckRelativePath(*text); !why.empty()) {
          ctx.Error(*p, fields.Child("path") + ": '" + *text + "': " + why,
                    "a relative path without '..'");
        } else if (!paths.insert(*text).second) {
          ctx.Error(*p, fields.Child("path") + ": '" + *text + "' is used twice",
                    "one item per path");
        }
        item.path = *text;
      }
    }
    if (auto mode = fields.Get("mode")) item.mode = ReadFileMode(ctx, *mode, fields.Child("mode"));
    if (downward) {
      int sources = 0;
      if (auto ref = fields.Get("fieldRef")) {
        ++sources;
        if (auto f = ReadFieldRef(ctx, *ref, fields.Child("fieldRef"), FieldRefUse::kVolume))
          item.field = *f;
      }
      if (auto ref = fields.Get("resourceFieldRef")) {
        ++sources;
        if (auto f = ReadResourceFieldRef(ctx, *ref, fields.Child("resourceFieldRef"),
                                          FieldRefUse::kVolume, containers)) {
          item.field = *f;
        }
      }
      if (sources != 1) {
        ctx.Error(node[i], fields.path() + ": has " + std::to_string(sources) + " sources",
                  "exactly one of fieldRef and resourceFieldRef");
      }
    } else if (auto key = fields.Require("key", "a key of the object")) {
      if (auto text = ReadString(ctx, *key, fields.Child("key"))) {
        if (std::string why = CheckConfigKey(*text); !why.empty()) {
          ctx.Error(*key, fields.Child("key") + ": '" + *text + "' is not a valid key: " + why,
                    "letters, digits, '-', '_' or '.'");
        }
        item.key = *text;
      }
    }
    fields.WarnUnknown();
    v.items.push_back(item);
  }
}

// configMap {name, items, defaultMode, optional}, secret {secretName, ...} or downwardAPI
// {items, defaultMode}; `projected` sources have no defaultMode of their own.
void ReadSource(const YamlContext& ctx, const YAML::Node& node, const std::string& path,
                VolumeType type, bool projected, const std::set<std::string>& containers,
                Volume& v) {
  v.type = type;
  YamlFields fields(ctx, node, path);
  if (!fields.is_mapping()) return;
  if (type == VolumeType::kConfigMap || type == VolumeType::kSecret) {
    std::string_view key = type == VolumeType::kSecret && !projected ? "secretName" : "name";
    if (auto name = fields.Require(key, "the name of an object in the files given")) {
      if (auto text = ReadString(ctx, *name, fields.Child(key))) {
        if (std::string why = CheckDns1123Subdomain(*text); !why.empty()) {
          ctx.Error(*name, fields.Child(key) + ": '" + *text + "' is not a valid name: " + why,
                    "a DNS-1123 subdomain");
        }
        v.object_name = *text;
      }
    }
    v.optional = fields.Bool("optional").value_or(false);
  }
  if (auto items = fields.Get("items")) {
    ReadItems(ctx, *items, fields.Child("items"), type == VolumeType::kDownwardApi, containers, v);
  } else if (type == VolumeType::kDownwardApi) {
    ctx.Error(node, fields.Child("items") + ": missing", "the files the volume holds");
  }
  if (!projected) {
    if (auto mode = fields.Get("defaultMode")) {
      v.default_mode = ReadFileMode(ctx, *mode, fields.Child("defaultMode")).value_or(0644);
    }
  }
  fields.WarnUnknown();
}

void ReadEmptyDir(const YamlContext& ctx, const YAML::Node& node, const std::string& path,
                  Volume& v) {
  v.type = VolumeType::kEmptyDir;
  YamlFields fields(ctx, node, path);
  if (!fields.is_mapping()) return;
  if (auto medium = fields.String("medium")) {
    if (*medium == "Memory") {
      v.in_memory = true;
    } else if (!medium->empty()) {
      ctx.Error(*fields.Get("medium"),
                fields.Child("medium") + ": '" + *medium + "' is not supported by i2kit" +
                    (medium->starts_with("HugePages") ? ": Pod VMs have no huge pages" : ""),
                "\"\" (the VM's scratch disk) or Memory (a tmpfs)");
    }
  }
  if (auto size = fields.Get("sizeLimit")) {
    std::string text = size->IsScalar() ? size->Scalar() : "";
    Result<int64_t> bytes = ParseMemoryBytes(text);
    if (!bytes.ok() || *bytes <= 0) {
      ctx.Error(*size,
                fields.Child("sizeLimit") + ": '" + text + "' is not a size" +
                    (bytes.ok() ? "" : ": " + bytes.status().message()),
                "a quantity above 0 such as 64Mi or 1Gi");
    } else {
      v.size_limit_bytes = *bytes;
    }
  }
  fields.WarnUnknown();
}

// projected: {sources: [one configMap, secret or downwardAPI], defaultMode}. The model's
// volume has one source; several are refused rather than half-honoured.
void ReadProjected(const YamlContext& ctx, const YAML::Node& node, const std::string& path,
                   const std::set<std::string>& containers, Volume& v) {
  YamlFields fields(ctx, node, path);
  if (!fields.is_mapping()) return;
  if (auto mode = fields.Get("defaultMode")) {
    v.default_mode = ReadFileMode(ctx, *mode, fields.Child("defaultMode")).value_or(0644);
  }
  auto sources = fields.Require("sources", "a list with one configMap, secret or downwardAPI");
  fields.WarnUnknown();
  if (!sources) return;
  if (!sources->IsSequence() || sources->size() != 1) {
    ctx.Error(*sources,
              fields.Child("sources") + " is not supported by i2kit with " +
                  (sources->IsSequence() ? std::to_string(sources->size()) + " sources"
                                         : std::string(YamlKindName(*sources))),
              "one source per projected volume: give each source its own volume and mount");
    return;
  }
  YamlFields source(ctx, (*sources)[0], fields.Child("sources") + "[0]");
  if (!source.is_mapping()) return;
  if (auto s = source.Get("configMap")) {
    ReadSource(ctx, *s, source.Child("configMap"), VolumeType::kConfigMap, true, containers, v);
  } else if (auto secret = source.Get("secret")) {
    ReadSource(ctx, *secret, source.Child("secret"), VolumeType::kSecret, true, containers, v);
  } else if (auto downward = source.Get("downwardAPI")) {
    ReadSource(ctx, *downward, source.Child("downwardAPI"), VolumeType::kDownwardApi, true,
               containers, v);
  }
  source.Unsupported("serviceAccountToken",
                     "there is no Kubernetes API server to issue or accept the token");
  source.Unsupported("clusterTrustBundle", "there is no cluster to hold trust bundles");
  source.Unsupported("podCertificate", "there is no cluster to issue certificates");
  source.WarnUnknown();
}

// persistentVolumeClaim: a disk that outlives the Pod's VMs; its size comes from the
// PersistentVolumeClaim object it names (ResolveVolumeClaims), once every file is read.
void ReadPersistentVolumeClaim(const YamlContext& ctx, const YAML::Node& node,
                               const std::string& path, Volume& v) {
  YamlFields fields(ctx, node, path);
  if (!fields.is_mapping()) return;
  v.type = VolumeType::kPersistent;
  if (auto claim = fields.Require("claimName", "the name of a PersistentVolumeClaim")) {
    if (auto text = ReadString(ctx, *claim, fields.Child("claimName"))) v.claim_name = *text;
  }
  if (auto read_only = fields.Bool("readOnly"); read_only && *read_only) {
    fields.Unsupported("readOnly", "set readOnly on the containers' volumeMounts instead");
  }
  fields.WarnUnknown();
}

}  // namespace

std::vector<Volume> ReadVolumes(const YamlContext& ctx, const YAML::Node& node,
                                const std::string& path, const std::set<std::string>& containers) {
  std::vector<Volume> volumes;
  if (!node.IsSequence()) {
    ctx.Error(node, path + ": got " + std::string(YamlKindName(node)),
              "a list of {name, " + std::string(kVolumeKinds) + "}");
    return volumes;
  }
  std::set<std::string> names;
  for (size_t i = 0; i < node.size(); ++i) {
    YamlFields fields(ctx, node[i], path + "[" + std::to_string(i) + "]");
    if (!fields.is_mapping()) continue;
    int errors_before = ctx.diagnostics->error_count();
    Volume v;
    if (auto name = fields.Require("name", "a volume name")) {
      if (auto text = ReadString(ctx, *name, fields.Child("name"))) {
        if (std::string why = CheckDns1123Label(*text); !why.empty()) {
          ctx.Error(*name, fields.Child("name") + ": '" + *text + "': " + why, "a DNS-1123 label");
        } else if (!names.insert(*text).second) {
          ctx.Error(*name, fields.Child("name") + ": '" + *text + "' is used twice in the Pod",
                    "unique volume names");
        }
        v.name = *text;
      }
    }
    int kinds = 0;
    if (auto s = fields.Get("emptyDir")) {
      ++kinds;
      ReadEmptyDir(ctx, *s, fields.Child("emptyDir"), v);
    } else if (fields.node()["emptyDir"]) {
      ++kinds;  // `emptyDir: {}` written as `emptyDir:` (null) means the defaults
      v.type = VolumeType::kEmptyDir;
    }
    if (auto s = fields.Get("configMap")) {
      ++kinds;
      ReadSource(ctx, *s, fields.Child("configMap"), VolumeType::kConfigMap, false, containers, v);
    }
    if (auto s = fields.Get("secret")) {
      ++kinds;
      ReadSource(ctx, *s, fields.Child("secret"), VolumeType::kSecret, false, containers, v);
    }
    if (auto s = fields.Get("downwardAPI")) {
      ++kinds;
      ReadSource(ctx, *s, fields.Child("downwardAPI"), VolumeType::kDownwardApi, false, containers,
                 v);
    }
    if (auto s = fields.Get("projected")) {
      ++kinds;
      ReadProjected(ctx, *s, fields.Child("projected"), containers, v);
    }
    if (auto s = fields.Get("persistentVolumeClaim")) {
      ++kinds;
      ReadPersistentVolumeClaim(ctx, *s, fields.Child("persistentVolumeClaim"), v);
    }
    if (auto s = fields.Get("hostPath")) {
      ++kinds;
      ctx.Error(*s,
                fields.Child("hostPath") +
                    " is not supported by i2kit: a Pod VM runs on no shared host, so there is "
                    "no host directory to share",
                "emptyDir for scratch space shared by the Pod's containers, configMap or "
                "secret for files to read");
    }
    if (kinds == 0) {
      bool other = false;
      for (auto it = node[i].begin(); it != node[i].end(); ++it) {
        if (!it->first.IsScalar() || it->first.Scalar() == "name") continue;
        other = true;
        fields.Unsupported(it->first.Scalar(), "i2kit offers only " + std::string(kVolumeKinds) +
                                                   "; other volume kinds need a cluster's storage");
      }
      if (!other)
        ctx.Error(node[i], fields.path() + ": has no volume kind", std::string(kVolumeKinds));
    } else if (kinds > 1) {
      ctx.Error(node[i], fields.path() + ": has " + std::to_string(kinds) + " volume kinds",
                "exactly one");
    }
    fields.WarnUnknown();
    if (ctx.diagnostics->error_count() == errors_before) volumes.push_back(std::move(v));
  }
  return volumes;
}

std::vector<VolumeMount> ReadVolumeMounts(const YamlContext& ctx, const YAML::Node& node,
                                          const std::string& path,
                                          const std::vector<Volume>& volumes) {
  std::vector<VolumeMount> mounts;
  if (!node.IsSequence()) {
    ctx.Error(node, path + ": got " + std::string(YamlKindName(node)),
              "a list of {name, mountPath}");
    return mounts;
  }
  std::set<std::string> paths;
  for (size_t i = 0; i < node.size(); ++i) {
    YamlFields fields(ctx, node[i], path + "[" + std::to_string(i) + "]");
    if (!fields.is_mapping()) continue;
    VolumeMount m;
    if (auto name = fields.Require("name", "the name of one of the Pod's volumes")) {
      if (auto text = ReadString(ctx, *name, fields.Child("name"))) {
        m.name = *text;
        bool found = false;
        for (const Volume& v : volumes) found = found || v.name == *text;
        if (!found) {
          ctx.Error(*name, fields.Child("name") + ": the Pod has no volume named '" + *text + "'",
                    "the name of one of spec.volumes");
        }
      }
    }
    if (auto mount_path = fields.Require("mountPath", "an absolute path in the container")) {
      if (auto text = ReadString(ctx, *mount_path, fields.Child("mountPath"))) {
        std::string trimmed = *text;
        while (trimmed.size() > 1 && trimmed.back() == '/') trimmed.pop_back();
        if (text->empty() || text->front() != '/') {
          ctx.Error(*mount_path,
                    fields.Child("mountPath") + ": '" + *text + "' is not an absolute path",
                    "an absolute path");
        } else if (trimmed == "/" || !CheckRelativePath(trimmed.substr(1)).empty()) {
          ctx.Error(*mount_path, fields.Child("mountPath") + ": '" + *text + "' cannot be mounted",
                    "a path below / without '..'");
        } else if (!paths.insert(trimmed).second) {
          ctx.Error(
              *mount_path,
              fields.Child("mountPath") + ": '" + *text + "' is mounted twice in the container",
              "one volume per mountPath");
        }
        m.mount_path = trimmed;
      }
    }
    m.read_only = fields.Bool("readOnly").value_or(false);
    if (auto sub = fields.String("subPath")) {
      if (std::string why = CheckRelativePath(*sub); !sub->empty() && !why.empty()) {
        ctx.Error(*fields.Get("subPath"), fields.Child("subPath") + ": '" + *sub + "': " + why,
                  "a relative path without '..'");
      }
      m.sub_path = *sub;
    }
    fields.Unsupported("subPathExpr",
                       "expanding variables in a mount path is not implemented; use subPath");
    if (auto propagation = fields.String("mountPropagation");
        propagation && *propagation != "None") {
      fields.Unsupported("mountPropagation",
                         "mounts propagate to or from a host, and a Pod VM shares none");
    }
    fields.Ignored("recursiveReadOnly", "readOnly mounts here have no submounts to recurse into");
    fields.WarnUnknown();
    mounts.push_back(m);
  }
  return mounts;
}

void ReadVolumeClaimObject(const YamlContext& ctx, YamlFields& object, Manifest& out) {
  int errors_before = ctx.diagnostics->error_count();
  VolumeClaim claim;
  claim.location = ctx.Where(object.node());
  auto meta = ReadMetadata(ctx, object, CheckDns1123Subdomain,
                           "a DNS-1123 subdomain: lower-case letters, digits, '-' and '.'");
  if (meta) claim.name = meta->name;
  object.Ignored("status", "it is reported by a Kubernetes API server");
  auto spec_node = object.Require("spec", "a PersistentVolumeClaim spec with resources");
  object.WarnUnknown();
  if (!spec_node) return;
  YamlFields spec(ctx, *spec_node, "spec");
  if (!spec.is_mapping()) return;
  if (auto modes = spec.Get("accessModes")) {
    if (auto list = ReadStringList(ctx, *modes, spec.Child("accessModes"))) {
      for (const std::string& mode : *list) {
        if (mode != "ReadWriteOnce" && mode != "ReadWriteOncePod") {
          ctx.Error(*modes,
                    spec.Child("accessModes") + ": " + mode +
                        " is not supported by i2kit: the claim is a disk attached to one VM at "
                        "a time",
                    "ReadWriteOnce");
        }
      }
    }
  }
  if (auto mode = spec.String("volumeMode"); mode && *mode != "Filesystem") {
    spec.Unsupported("volumeMode", "the disk is given to containers as an ext4 filesystem");
  }
  spec.Ignored("storageClassName", "locally a sparse image file, on AWS an EBS volume");
  spec.Unsupported("selector", "there are no pre-made PersistentVolumes to select");
  spec.Unsupported("volumeName", "there are no pre-made PersistentVolumes to bind");
  spec.Unsupported("dataSource", "a new disk starts empty");
  spec.Unsupported("dataSourceRef", "a new disk starts empty");
  if (auto resources = spec.Require("resources", "resources.requests.storage")) {
    YamlFields res(ctx, *resources, "spec.resources");
    if (auto requests = res.Require("requests", "requests.storage")) {
      YamlFields req(ctx, *requests, "spec.resources.requests");
      if (auto storage = req.Require("storage", "a size such as 10Gi")) {
        if (auto text = ReadString(ctx, *storage, req.Child("storage"))) {
          Result<int64_t> bytes = ParseMemoryBytes(*text);
          if (!bytes.ok() || *bytes < (int64_t{1} << 20)) {
            ctx.Error(*storage,
                      req.Child("storage") + ": '" + *text +
                          "': " + (bytes.ok() ? "is below 1Mi" : bytes.status().message()),
                      "a size of at least 1Mi, such as 10Gi");
          } else {
            claim.size_bytes = *bytes;
          }
        }
      }
      req.WarnUnknown();
    }
    res.Ignored("limits", "the disk is as large as requested");
    res.WarnUnknown();
  }
  spec.WarnUnknown();
  if (ctx.diagnostics->error_count() == errors_before) out.claims.push_back(std::move(claim));
}

void ResolveVolumeClaims(Manifest& manifest, Diagnostics& diagnostics) {
  std::map<std::string, const Deployment*> users;
  for (Deployment& d : manifest.deployments) {
    if (d.format != ManifestFormat::kKubernetes) continue;
    for (Volume& v : d.volumes) {
      if (v.type != VolumeType::kPersistent) continue;
      auto claim = std::find_if(manifest.claims.begin(), manifest.claims.end(),
                                [&](const VolumeClaim& c) { return c.name == v.claim_name; });
      std::string what = "deployment '" + d.name + "' volume " + v.name;
      if (claim == manifest.claims.end()) {
        diagnostics.Error(
            d.location, what + ": no PersistentVolumeClaim '" + v.claim_name + "' in the manifests",
            "a PersistentVolumeClaim object of that name with "
            "spec.resources.requests.storage");
        continue;
      }
      v.size_bytes = claim->size_bytes;
      auto [user, first] = users.emplace(v.claim_name, &d);
      if (!first && user->second != &d) {
        diagnostics.Error(d.location,
                          what + ": PersistentVolumeClaim '" + v.claim_name +
                              "' is already deployment '" + user->second->name +
                              "''s: a disk is attached to one VM at a time",
                          "a claim of its own");
      }
    }
  }
}

}  // namespace i2kit
