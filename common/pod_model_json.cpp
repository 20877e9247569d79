#include "common/pod_model_json.h"

#include "common/base64.h"

namespace i2kit {
namespace {

using Json = nlohmann::ordered_json;

template <typename T>
Json Optional(const std::optional<T>& v) {
  return v ? Json(*v) : Json(nullptr);
}

Json ToJson(const PodField& f) {
  if (!f.field_path.empty()) return {{"fieldPath", f.field_path}};
  return {{"resource", f.resource}, {"containerName", f.container}, {"divisor", f.divisor}};
}

Json ToJson(const std::vector<EnvVar>& vars) {
  Json out = Json::array();
  for (const EnvVar& v : vars) {
    Json var = {{"name", v.name}};
    switch (v.source) {
      case EnvSource::kValue:
        var["value"] = v.value;
        break;
      case EnvSource::kConfigMapKey:
      case EnvSource::kSecretKey:
        var[EnvSourceName(v.source)] = {
            {"name", v.object_name}, {"key", v.key}, {"optional", v.optional}};
        break;
      case EnvSource::kPodField:
        var[EnvSourceName(v.source)] = ToJson(v.field);
        break;
    }
    out.push_back(var);
  }
  return out;
}

// An httpGet action's fields, which probes and lifecycle hooks share by name.
template <typename Action>
void WriteHttpGet(const Action& action, Json& out) {
  out["port"] = action.port;
  out["host"] = action.host;
  out["path"] = action.path;
  out["scheme"] = action.scheme;
  out["httpHeaders"] = ToJson(action.http_headers);
}

Json ToJson(const std::vector<EnvFromSource>& sources) {
  Json out = Json::array();
  for (const EnvFromSource& s : sources) {
    out.push_back({{s.is_secret ? "secretRef" : "configMapRef", s.object_name},
                   {"prefix", s.prefix},
                   {"optional", s.optional}});
  }
  return out;
}

Json ToJson(const std::vector<VolumeMount>& mounts) {
  Json out = Json::array();
  for (const VolumeMount& m : mounts) {
    out.push_back({{"name", m.name},
                   {"mountPath", m.mount_path},
                   {"readOnly", m.read_only},
                   {"subPath", m.sub_path}});
  }
  return out;
}

Json ToJson(const std::optional<LifecycleHook>& hook) {
  if (!hook) return nullptr;
  Json out = {{"action", HookActionName(hook->action)}};
  switch (hook->action) {
    case HookAction::kExec:
      out["command"] = hook->command;
      break;
    case HookAction::kHttpGet:
      WriteHttpGet(*hook, out);
      break;
    case HookAction::kSleep:
      out["seconds"] = hook->sleep_seconds;
      break;
  }
  return out;
}

Json ToJson(const ImageReference& image) {
  Json out = {{"reference", image.Canonical()}, {"transport", ImageTransportName(image.transport)}};
  if (image.transport == ImageTransport::kRegistry) {
    out["registry"] = image.registry;
    out["repository"] = image.repository;
  } else {
    out["path"] = image.path;
  }
  out["tag"] = image.tag;
  out["digest"] = image.digest;
  return out;
}

Json ToJson(const ContainerPort& p) {
  Json out = {{"name", p.name},
              {"containerPort", p.container_port},
              {"protocol", ProtocolName(p.protocol)}};
  if (p.listener) {
    out["listener"] = {{"protocol", ListenerProtocolName(p.listener->protocol)},
                       {"port", p.listener->port},
                       {"instanceProtocol", ListenerProtocolName(p.listener->instance_protocol)},
                       {"certificate", p.listener->certificate}};
  }
  return out;
}

Json ToJson(const ResourceList& r) {
  return {{"cpuMillis", Optional(r.cpu_millis)}, {"memoryBytes", Optional(r.memory_bytes)}};
}

Json ToJson(const std::optional<Probe>& probe) {
  if (!probe) return nullptr;
  Json out = {{"action", ProbeActionName(probe->action)}};
  switch (probe->action) {
    case ProbeAction::kHttpGet:
      WriteHttpGet(*probe, out);
      break;
    case ProbeAction::kTcpSocket:
      out["port"] = probe->port;
      out["host"] = probe->host;
      break;
    case ProbeAction::kExec:
      out["command"] = probe->command;
      break;
    case ProbeAction::kGrpc:
      out["port"] = probe->port;
      out["service"] = probe->grpc_service;
      break;
  }
  out["initialDelaySeconds"] = probe->initial_delay_seconds;
  out["timeoutSeconds"] = probe->timeout_seconds;
  out["periodSeconds"] = probe->period_seconds;
  out["successThreshold"] = probe->success_threshold;
  out["failureThreshold"] = probe->failure_threshold;
  return out;
}

Json ToJson(const SecurityContext& s) {
  Json seccomp = {{"type", SeccompProfileTypeName(s.seccomp_profile.type)}};
  if (s.seccomp_profile.type == SeccompProfileType::kLocalhost) {
    seccomp["localhostProfile"] = s.seccomp_profile.localhost_profile;
  }
  return {{"runAsUser", Optional(s.run_as_user)},
          {"runAsGroup", Optional(s.run_as_group)},
          {"runAsNonRoot", Optional(s.run_as_non_root)},
          {"readOnlyRootFilesystem", s.read_only_root_filesystem},
          {"allowPrivilegeEscalation", Optional(s.allow_privilege_escalation)},
          {"capabilities", {{"add", s.capabilities_add}, {"drop", s.capabilities_drop}}},
          {"seccompProfile", seccomp}};
}

Json ToJson(const Container& c) {
  Json ports = Json::array();
  for (const ContainerPort& p : c.ports) ports.push_back(ToJson(p));
  return {
      {"name", c.name},
      {"image", ToJson(c.image)},
      {"imagePullPolicy", PullPolicyName(c.pull_policy)},
      {"command", c.command},
      {"args", c.args},
      {"workingDir", c.working_dir},
      {"envFrom", ToJson(c.env_from)},
      {"env", ToJson(c.env)},
      {"ports", ports},
      {"volumeMounts", ToJson(c.volume_mounts)},
      {"resources",
       {{"requests", ToJson(c.resources.requests)}, {"limits", ToJson(c.resources.limits)}}},
      {"livenessProbe", ToJson(c.liveness_probe)},
      {"readinessProbe", ToJson(c.readiness_probe)},
      {"startupProbe", ToJson(c.startup_probe)},
      {"securityContext", ToJson(c.security_context)},
      {"lifecycle",
       {{"postStart", ToJson(c.lifecycle.post_start)}, {"preStop", ToJson(c.lifecycle.pre_stop)}}},
      {"restartAlways", c.restart_always}};
}

Json ToJson(const Volume& v) {
  Json out = {{"name", v.name}, {"type", VolumeTypeName(v.type)}};
  if (v.type == VolumeType::kEmptyDir) {
    out["inMemory"] = v.in_memory;
    out["sizeLimitBytes"] = Optional(v.size_limit_bytes);
    return out;
  }
  if (v.type == VolumeType::kPersistent) {
    out["sizeBytes"] = v.size_bytes;
    out["claimName"] = v.claim_name;
    return out;
  }
  if (v.type != VolumeType::kDownwardApi) {
    out["objectName"] = v.object_name;
    out["optional"] = v.optional;
  }
  out["defaultMode"] = v.default_mode;
  Json items = Json::array();
  for (const VolumeItem& item : v.items) {
    Json file = {{"path", item.path}, {"mode", Optional(item.mode)}};
    if (v.type == VolumeType::kDownwardApi)
      file["field"] = ToJson(item.field);
    else
      file["key"] = item.key;
    items.push_back(file);
  }
  out["items"] = items;
  return out;
}

Json ToJson(const IntOrPercent& v) {
  return v.is_percent ? Json(std::to_string(v.value) + "%") : Json(v.value);
}

}  // namespace

nlohmann::ordered_json ToJson(const Deployment& d) {
  Json containers = Json::array();
  for (const Container& c : d.containers) containers.push_back(ToJson(c));
  Json init_containers = Json::array();
  for (const Container& c : d.init_containers) init_containers.push_back(ToJson(c));
  Json volumes = Json::array();
  for (const Volume& v : d.volumes) volumes.push_back(ToJson(v));
  return {{"name", d.name},
          {"namespace", d.namespace_name},
          {"format", ManifestFormatName(d.format)},
          {"source", d.location.file + ":" + std::to_string(d.location.line)},
          {"labels", d.labels},
          {"selector", d.selector},
          {"replicas", d.replicas},
          {"strategy",
           {{"type", StrategyTypeName(d.strategy.type)},
            {"maxSurge", ToJson(d.strategy.max_surge)},
            {"maxUnavailable", ToJson(d.strategy.max_unavailable)}}},
          {"minReadySeconds", d.min_ready_seconds},
          {"progressDeadlineSeconds", d.progress_deadline_seconds},
          {"terminationGracePeriodSeconds", d.termination_grace_period_seconds},
          {"public", d.is_public},
          {"stateful", d.stateful},
          {"instanceType", d.instance_type},
          {"podSecurityContext",
           {{"fsGroup", Optional(d.pod_security.fs_group)},
            {"supplementalGroups", d.pod_security.supplemental_groups},
            {"fsGroupChangePolicy",
             d.pod_security.fs_group_on_root_mismatch ? "OnRootMismatch" : "Always"}}},
          {"volumes", volumes},
          {"initContainers", init_containers},
          {"containers", containers}};
}

namespace {

Json ToJson(const Service& s) {
  Json ports = Json::array();
  for (const ServicePort& p : s.ports) {
    Json target = p.target_port_name.empty() ? Json(p.target_port) : Json(p.target_port_name);
    ports.push_back({{"name", p.name},
                     {"port", p.port},
                     {"targetPort", target},
                     {"protocol", ProtocolName(p.protocol)},
                     {"nodePort", p.node_port}});
  }
  return {{"name", s.name},
          {"source", s.location.file + ":" + std::to_string(s.location.line)},
          {"type", ServiceTypeName(s.type)},
          {"labels", s.labels},
          {"selector", s.selector},
          {"ports", ports}};
}

}  // namespace

nlohmann::ordered_json ToJson(const Manifest& manifest) {
  Json deployments = Json::array();
  for (const Deployment& d : manifest.deployments) deployments.push_back(ToJson(d));
  Json services = Json::array();
  for (const Service& s : manifest.services) services.push_back(ToJson(s));
  // Secrets are listed by name and key only: their values never leave the host's memory.
  Json secrets = Json::array();
  for (const ConfigObject& s : manifest.secrets) {
    Json keys = Json::array();
    for (const auto& [key, value] : s.data) keys.push_back(key);
    secrets.push_back({{"name", s.name}, {"keys", keys}});
  }
  Json config_maps = Json::array();
  for (const ConfigObject& c : manifest.config_maps) config_maps.push_back(ToJson(c));
  return {{"deployments", deployments},
          {"services", services},
          {"configMaps", config_maps},
          {"secrets", secrets}};
}

nlohmann::ordered_json ToJson(const ConfigObject& object) {
  Json data = Json::object();
  for (const auto& [key, value] : object.data) data[key] = Base64Encode(value);
  return {{"name", object.name}, {"data", data}};
}

std::string ToJsonText(const Manifest& manifest) {
  return ToJson(manifest).dump(2, ' ', false, Json::error_handler_t::replace);
}

}  // namespace i2kit
