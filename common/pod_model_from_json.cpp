// Reading the model back from the JSON that pod_model_json.cpp writes (declared in
// pod_model_json.h). The host wrote it, so errors are rare; each still names its JSON path.
#include <array>

#include "common/base64.h"
#include "common/pod_model_json.h"

namespace i2kit {
namespace {

using Json = nlohmann::json;

// Reads fields of one JSON object, remembering the first problem; later reads become no-ops.
class JsonReader {
 public:
  JsonReader(const Json& object, std::string path, Status& status)
      : object_(object), path_(std::move(path)), status_(status) {
    if (status_.ok() && !object_.is_object()) Fail("", "an object");
  }

  std::string Path(std::string_view key) const {
    return path_.empty() ? std::string(key) : path_ + "." + std::string(key);
  }
  // The member `key`, or null when absent or after a failure.
  const Json& Get(std::string_view key) const {
    static const Json kNull;
    if (!status_.ok() || !object_.is_object()) return kNull;
    auto it = object_.find(key);
    return it == object_.end() ? kNull : *it;
  }

  template <typename T>
  void Read(std::string_view key, T& out) {
    const Json& v = Get(key);
    if (!status_.ok()) return;
    if constexpr (std::is_same_v<T, bool>) {
      if (!v.is_boolean()) return Fail(key, "a boolean");
    } else if constexpr (std::is_integral_v<T>) {
      if (!v.is_number_integer()) return Fail(key, "an integer");
    } else if constexpr (std::is_same_v<T, std::string>) {
      if (!v.is_string()) return Fail(key, "a string");
    } else if constexpr (std::is_same_v<T, std::vector<std::string>>) {
      if (!v.is_array()) return Fail(key, "a list of strings");
      for (const Json& item : v) {
        if (!item.is_string()) return Fail(key, "a list of strings");
      }
    } else {
      if (!v.is_object()) return Fail(key, "an object of strings");
      for (const auto& [k, item] : v.items()) {
        if (!item.is_string()) return Fail(key, "an object of strings");
      }
    }
    out = v.get<T>();
  }

  // A nullable value: null leaves `out` empty.
  template <typename T>
  void ReadOptional(std::string_view key, std::optional<T>& out) {
    if (Get(key).is_null()) return;
    T value{};
    Read(key, value);
    if (status_.ok()) out = value;
  }

  // An enum written by its name; `values` lists every enumerator, `name_of` names one.
  template <typename E, size_t N>
  void ReadEnum(std::string_view key, const std::array<E, N>& values, const char* (*name_of)(E),
                E& out) {
    std::string name;
    Read(key, name);
    if (!status_.ok()) return;
    for (E e : values) {
      if (name == name_of(e)) {
        out = e;
        return;
      }
    }
    Fail(key, "a known name, not '" + name + "'");
  }

  void Fail(std::string_view key, const std::string& expected) {
    if (status_.ok()) status_ = Status::Error(Path(key) + ": expected " + expected);
  }

 private:
  const Json& object_;
  std::string path_;
  Status& status_;
};

// Calls `read(item, path)` for each element of the array at `key`.
template <typename Fn>
void ForEach(JsonReader& r, std::string_view key, Status& status, Fn read) {
  const Json& list = r.Get(key);
  if (!status.ok()) return;
  if (!list.is_array()) return r.Fail(key, "a list");
  for (size_t i = 0; i < list.size() && status.ok(); ++i) {
    read(list[i], r.Path(key) + "[" + std::to_string(i) + "]");
  }
}

constexpr std::array kProtocols = {Protocol::kTcp, Protocol::kUdp, Protocol::kSctp};
constexpr std::array kListenerProtocols = {ListenerProtocol::kHttp, ListenerProtocol::kHttps,
                                           ListenerProtocol::kTcp, ListenerProtocol::kSsl,
                                           ListenerProtocol::kUdp};
constexpr std::array kProbeActions = {ProbeAction::kHttpGet, ProbeAction::kTcpSocket,
                                      ProbeAction::kExec, ProbeAction::kGrpc};
constexpr std::array kHookActions = {HookAction::kExec, HookAction::kHttpGet, HookAction::kSleep};
constexpr std::array kVolumeTypes = {VolumeType::kEmptyDir, VolumeType::kConfigMap,
                                     VolumeType::kSecret, VolumeType::kDownwardApi,
                                     VolumeType::kPersistent};
constexpr std::array kSeccompTypes = {SeccompProfileType::kRuntimeDefault,
                                      SeccompProfileType::kUnconfined,
                                      SeccompProfileType::kLocalhost};
constexpr std::array kPullPolicies = {PullPolicy::kIfNotPresent, PullPolicy::kAlways,
                                      PullPolicy::kNever};
constexpr std::array kStrategies = {StrategyType::kRollingUpdate, StrategyType::kRecreate};
constexpr std::array kServiceTypes = {ServiceType::kClusterIP, ServiceType::kLoadBalancer,
                                      ServiceType::kNodePort};
constexpr std::array kFormats = {ManifestFormat::kI2kit, ManifestFormat::kKubernetes};

PodField ReadPodField(JsonReader& parent, std::string_view key, Status& status) {
  JsonReader r(parent.Get(key), parent.Path(key), status);
  PodField f;
  if (!r.Get("fieldPath").is_null()) {
    r.Read("fieldPath", f.field_path);
  } else {
    r.Read("resource", f.resource);
    r.Read("containerName", f.container);
    r.Read("divisor", f.divisor);
  }
  return f;
}

std::vector<EnvVar> ReadEnvVars(JsonReader& r, std::string_view key, Status& status) {
  std::vector<EnvVar> out;
  ForEach(r, key, status, [&](const Json& item, const std::string& path) {
    JsonReader v(item, path, status);
    EnvVar var;
    v.Read("name", var.name);
    for (EnvSource source : {EnvSource::kConfigMapKey, EnvSource::kSecretKey}) {
      if (v.Get(EnvSourceName(source)).is_null()) continue;
      var.source = source;
      JsonReader ref(v.Get(EnvSourceName(source)), v.Path(EnvSourceName(source)), status);
      ref.Read("name", var.object_name);
      ref.Read("key", var.key);
      ref.Read("optional", var.optional);
    }
    if (!v.Get(EnvSourceName(EnvSource::kPodField)).is_null()) {
      var.source = EnvSource::kPodField;
      var.field = ReadPodField(v, EnvSourceName(EnvSource::kPodField), status);
    }
    if (var.source == EnvSource::kValue) v.Read("value", var.value);
    out.push_back(var);
  });
  return out;
}

// An httpGet action's fields, which probes and lifecycle hooks share by name.
template <typename Action>
void ReadHttpGet(JsonReader& r, Action& action, Status& status) {
  r.Read("port", action.port);
  r.Read("host", action.host);
  r.Read("path", action.path);
  r.Read("scheme", action.scheme);
  action.http_headers = ReadEnvVars(r, "httpHeaders", status);
}

std::vector<EnvFromSource> ReadEnvFrom(JsonReader& r, Status& status) {
  std::vector<EnvFromSource> out;
  ForEach(r, "envFrom", status, [&](const Json& item, const std::string& path) {
    JsonReader v(item, path, status);
    EnvFromSource source;
    source.is_secret = !v.Get("secretRef").is_null();
    v.Read(source.is_secret ? "secretRef" : "configMapRef", source.object_name);
    v.Read("prefix", source.prefix);
    v.Read("optional", source.optional);
    out.push_back(source);
  });
  return out;
}

std::optional<LifecycleHook> ReadHook(JsonReader& parent, std::string_view key, Status& status) {
  const Json& node = parent.Get(key);
  if (node.is_null()) return std::nullopt;
  JsonReader r(node, parent.Path(key), status);
  LifecycleHook hook;
  r.ReadEnum("action", kHookActions, HookActionName, hook.action);
  switch (hook.action) {
    case HookAction::kExec:
      r.Read("command", hook.command);
      break;
    case HookAction::kHttpGet:
      ReadHttpGet(r, hook, status);
      break;
    case HookAction::kSleep:
      r.Read("seconds", hook.sleep_seconds);
      break;
  }
  return hook;
}

Volume ReadVolume(const Json& node, const std::string& path, Status& status) {
  JsonReader r(node, path, status);
  Volume v;
  r.Read("name", v.name);
  r.ReadEnum("type", kVolumeTypes, VolumeTypeName, v.type);
  if (v.type == VolumeType::kEmptyDir) {
    r.Read("inMemory", v.in_memory);
    r.ReadOptional("sizeLimitBytes", v.size_limit_bytes);
    return v;
  }
  if (v.type == VolumeType::kPersistent) {
    r.Read("sizeBytes", v.size_bytes);
    r.Read("claimName", v.claim_name);
    return v;
  }
  if (v.type != VolumeType::kDownwardApi) {
    r.Read("objectName", v.object_name);
    r.Read("optional", v.optional);
  }
  r.Read("defaultMode", v.default_mode);
  ForEach(r, "items", status, [&](const Json& item, const std::string& item_path) {
    JsonReader f(item, item_path, status);
    VolumeItem file;
    f.Read("path", file.path);
    f.ReadOptional("mode", file.mode);
    if (v.type == VolumeType::kDownwardApi)
      file.field = ReadPodField(f, "field", status);
    else
      f.Read("key", file.key);
    v.items.push_back(file);
  });
  return v;
}

std::optional<Probe> ReadProbe(JsonReader& parent, std::string_view key, Status& status) {
  const Json& node = parent.Get(key);
  if (node.is_null()) return std::nullopt;
  JsonReader r(node, parent.Path(key), status);
  Probe p;
  r.ReadEnum("action", kProbeActions, ProbeActionName, p.action);
  switch (p.action) {
    case ProbeAction::kExec:
      r.Read("command", p.command);
      break;
    case ProbeAction::kHttpGet:
      ReadHttpGet(r, p, status);
      break;
    case ProbeAction::kTcpSocket:
      r.Read("port", p.port);
      r.Read("host", p.host);
      break;
    case ProbeAction::kGrpc:
      r.Read("port", p.port);
      r.Read("service", p.grpc_service);
      break;
  }
  r.Read("initialDelaySeconds", p.initial_delay_seconds);
  r.Read("timeoutSeconds", p.timeout_seconds);
  r.Read("periodSeconds", p.period_seconds);
  r.Read("successThreshold", p.success_threshold);
  r.Read("failureThreshold", p.failure_threshold);
  return p;
}

ResourceList ReadResourceList(JsonReader& parent, std::string_view key, Status& status) {
  JsonReader r(parent.Get(key), parent.Path(key), status);
  ResourceList list;
  r.ReadOptional("cpuMillis", list.cpu_millis);
  r.ReadOptional("memoryBytes", list.memory_bytes);
  return list;
}

SecurityContext ReadSecurityContext(JsonReader& parent, Status& status) {
  JsonReader r(parent.Get("securityContext"), parent.Path("securityContext"), status);
  SecurityContext s;
  r.ReadOptional("runAsUser", s.run_as_user);
  r.ReadOptional("runAsGroup", s.run_as_group);
  r.ReadOptional("runAsNonRoot", s.run_as_non_root);
  r.Read("readOnlyRootFilesystem", s.read_only_root_filesystem);
  r.ReadOptional("allowPrivilegeEscalation", s.allow_privilege_escalation);
  JsonReader caps(r.Get("capabilities"), r.Path("capabilities"), status);
  caps.Read("add", s.capabilities_add);
  caps.Read("drop", s.capabilities_drop);
  JsonReader seccomp(r.Get("seccompProfile"), r.Path("seccompProfile"), status);
  seccomp.ReadEnum("type", kSeccompTypes, SeccompProfileTypeName, s.seccomp_profile.type);
  if (s.seccomp_profile.type == SeccompProfileType::kLocalhost) {
    seccomp.Read("localhostProfile", s.seccomp_profile.localhost_profile);
  }
  return s;
}

Container ReadContainer(const Json& node, const std::string& path, Status& status) {
  JsonReader r(node, path, status);
  Container c;
  r.Read("name", c.name);
  JsonReader image(r.Get("image"), r.Path("image"), status);
  std::string reference;
  image.Read("reference", reference);
  if (status.ok()) {
    Result<ImageReference> parsed = ParseImageReference(reference);
    if (parsed.ok())
      c.image = *parsed;
    else
      image.Fail("reference", "an image reference: " + parsed.status().message());
  }
  r.ReadEnum("imagePullPolicy", kPullPolicies, PullPolicyName, c.pull_policy);
  r.Read("command", c.command);
  r.Read("args", c.args);
  r.Read("workingDir", c.working_dir);
  c.env_from = ReadEnvFrom(r, status);
  c.env = ReadEnvVars(r, "env", status);
  ForEach(r, "ports", status, [&](const Json& item, const std::string& port_path) {
    JsonReader p(item, port_path, status);
    ContainerPort port;
    p.Read("name", port.name);
    p.Read("containerPort", port.container_port);
    p.ReadEnum("protocol", kProtocols, ProtocolName, port.protocol);
    if (!p.Get("listener").is_null()) {
      JsonReader l(p.Get("listener"), p.Path("listener"), status);
      Listener listener;
      l.ReadEnum("protocol", kListenerProtocols, ListenerProtocolName, listener.protocol);
      l.Read("port", listener.port);
      l.ReadEnum("instanceProtocol", kListenerProtocols, ListenerProtocolName,
                 listener.instance_protocol);
      l.Read("certificate", listener.certificate);
      port.listener = listener;
    }
    c.ports.push_back(port);
  });
  ForEach(r, "volumeMounts", status, [&](const Json& item, const std::string& mount_path) {
    JsonReader m(item, mount_path, status);
    VolumeMount mount;
    m.Read("name", mount.name);
    m.Read("mountPath", mount.mount_path);
    m.Read("readOnly", mount.read_only);
    m.Read("subPath", mount.sub_path);
    c.volume_mounts.push_back(mount);
  });
  JsonReader resources(r.Get("resources"), r.Path("resources"), status);
  c.resources.requests = ReadResourceList(resources, "requests", status);
  c.resources.limits = ReadResourceList(resources, "limits", status);
  c.liveness_probe = ReadProbe(r, "livenessProbe", status);
  c.readiness_probe = ReadProbe(r, "readinessProbe", status);
  c.startup_probe = ReadProbe(r, "startupProbe", status);
  c.security_context = ReadSecurityContext(r, status);
  JsonReader lifecycle(r.Get("lifecycle"), r.Path("lifecycle"), status);
  c.lifecycle.post_start = ReadHook(lifecycle, "postStart", status);
  c.lifecycle.pre_stop = ReadHook(lifecycle, "preStop", status);
  r.Read("restartAlways", c.restart_always);
  return c;
}

IntOrPercent ReadIntOrPercent(JsonReader& r, std::string_view key) {
  const Json& v = r.Get(key);
  if (v.is_number_integer()) return {v.get<int>(), false};
  if (v.is_string()) {
    std::string s = v.get<std::string>();
    if (s.size() >= 2 && s.back() == '%' && s.find_first_not_of("0123456789") == s.size() - 1 &&
        s.size() <= 5) {
      return {std::stoi(s), true};
    }
  }
  r.Fail(key, "an integer or a percentage");
  return {};
}

Deployment ReadDeployment(const Json& node, const std::string& path, Status& status) {
  JsonReader r(node, path, status);
  Deployment d;
  r.Read("name", d.name);
  r.Read("namespace", d.namespace_name);
  r.ReadEnum("format", kFormats, ManifestFormatName, d.format);
  r.Read("labels", d.labels);
  r.Read("selector", d.selector);
  r.Read("replicas", d.replicas);
  JsonReader strategy(r.Get("strategy"), r.Path("strategy"), status);
  strategy.ReadEnum("type", kStrategies, StrategyTypeName, d.strategy.type);
  d.strategy.max_surge = ReadIntOrPercent(strategy, "maxSurge");
  d.strategy.max_unavailable = ReadIntOrPercent(strategy, "maxUnavailable");
  r.Read("minReadySeconds", d.min_ready_seconds);
  r.Read("progressDeadlineSeconds", d.progress_deadline_seconds);
  r.Read("terminationGracePeriodSeconds", d.termination_grace_period_seconds);
  r.Read("public", d.is_public);
  r.Read("stateful", d.stateful);
  r.Read("instanceType", d.instance_type);
  JsonReader pod_security(r.Get("podSecurityContext"), r.Path("podSecurityContext"), status);
  pod_security.ReadOptional("fsGroup", d.pod_security.fs_group);
  if (status.ok() && pod_security.Get("supplementalGroups").is_array()) {
    for (const Json& gid : pod_security.Get("supplementalGroups")) {
      if (!gid.is_number_integer()) {
        pod_security.Fail("supplementalGroups", "a list of integers");
        break;
      }
      d.pod_security.supplemental_groups.push_back(gid.get<int64_t>());
    }
  } else {
    pod_security.Fail("supplementalGroups", "a list of integers");
  }
  std::string change_policy;
  pod_security.Read("fsGroupChangePolicy", change_policy);
  d.pod_security.fs_group_on_root_mismatch = change_policy == "OnRootMismatch";
  ForEach(r, "volumes", status, [&](const Json& item, const std::string& volume_path) {
    d.volumes.push_back(ReadVolume(item, volume_path, status));
  });
  ForEach(r, "initContainers", status, [&](const Json& item, const std::string& container_path) {
    d.init_containers.push_back(ReadContainer(item, container_path, status));
  });
  ForEach(r, "containers", status, [&](const Json& item, const std::string& container_path) {
    d.containers.push_back(ReadContainer(item, container_path, status));
  });
  return d;
}

Service ReadService(const Json& node, const std::string& path, Status& status) {
  JsonReader r(node, path, status);
  Service s;
  r.Read("name", s.name);
  r.ReadEnum("type", kServiceTypes, ServiceTypeName, s.type);
  r.Read("labels", s.labels);
  r.Read("selector", s.selector);
  ForEach(r, "ports", status, [&](const Json& item, const std::string& port_path) {
    JsonReader p(item, port_path, status);
    ServicePort port;
    p.Read("name", port.name);
    p.Read("port", port.port);
    p.ReadEnum("protocol", kProtocols, ProtocolName, port.protocol);
    if (p.Get("targetPort").is_string())
      p.Read("targetPort", port.target_port_name);
    else
      p.Read("targetPort", port.target_port);
    p.Read("nodePort", port.node_port);
    s.ports.push_back(port);
  });
  return s;
}

ConfigObject ReadConfigObject(const Json& node, const std::string& path, Status& status) {
  JsonReader r(node, path, status);
  ConfigObject object;
  r.Read("name", object.name);
  std::map<std::string, std::string> encoded;
  r.Read("data", encoded);
  for (const auto& [key, text] : encoded) {
    std::optional<std::string> bytes = Base64Decode(text);
    if (!bytes) {
      r.Fail("data." + key, "base64");
      break;
    }
    object.data[key] = std::move(*bytes);
  }
  return object;
}

}  // namespace

Result<ConfigObject> ConfigObjectFromJson(const nlohmann::json& json) {
  Status status;
  ConfigObject object = ReadConfigObject(json, "", status);
  if (!status.ok()) return status.WithContext("ConfigMap JSON");
  return object;
}

Result<Deployment> DeploymentFromJson(const nlohmann::json& json) {
  Status status;
  Deployment d = ReadDeployment(json, "", status);
  if (!status.ok()) return status.WithContext("deployment JSON");
  return d;
}

Result<Manifest> ManifestFromJson(const nlohmann::json& json) {
  Status status;
  Manifest m;
  JsonReader r(json, "", status);
  ForEach(r, "deployments", status, [&](const Json& item, const std::string& path) {
    m.deployments.push_back(ReadDeployment(item, path, status));
  });
  ForEach(r, "services", status, [&](const Json& item, const std::string& path) {
    m.services.push_back(ReadService(item, path, status));
  });
  ForEach(r, "configMaps", status, [&](const Json& item, const std::string& path) {
    m.config_maps.push_back(ReadConfigObject(item, path, status));
  });
  if (!status.ok()) return status.WithContext("manifest JSON");
  return m;
}

}  // namespace i2kit
