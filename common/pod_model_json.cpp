#include "common/pod_model_json.h"

namespace i2kit {
namespace {

using Json = nlohmann::ordered_json;

template <typename T>
Json Optional(const std::optional<T>& v) {
  return v ? Json(*v) : Json(nullptr);
}

Json ToJson(const std::vector<EnvVar>& vars) {
  Json out = Json::array();
  for (const EnvVar& v : vars) out.push_back({{"name", v.name}, {"value", v.value}});
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
      out["port"] = probe->port;
      out["host"] = probe->host;
      out["path"] = probe->path;
      out["scheme"] = probe->scheme;
      out["httpHeaders"] = ToJson(probe->http_headers);
      break;
    case ProbeAction::kTcpSocket:
      out["port"] = probe->port;
      out["host"] = probe->host;
      break;
    case ProbeAction::kExec:
      out["command"] = probe->command;
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
  return {{"name", c.name},
          {"image", ToJson(c.image)},
          {"imagePullPolicy", PullPolicyName(c.pull_policy)},
          {"command", c.command},
          {"args", c.args},
          {"workingDir", c.working_dir},
          {"env", ToJson(c.env)},
          {"ports", ports},
          {"resources",
           {{"requests", ToJson(c.resources.requests)}, {"limits", ToJson(c.resources.limits)}}},
          {"livenessProbe", ToJson(c.liveness_probe)},
          {"readinessProbe", ToJson(c.readiness_probe)},
          {"startupProbe", ToJson(c.startup_probe)},
          {"securityContext", ToJson(c.security_context)}};
}

Json ToJson(const IntOrPercent& v) {
  return v.is_percent ? Json(std::to_string(v.value) + "%") : Json(v.value);
}

}  // namespace

nlohmann::ordered_json ToJson(const Deployment& d) {
  Json containers = Json::array();
  for (const Container& c : d.containers) containers.push_back(ToJson(c));
  return {{"name", d.name},
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
                     {"protocol", ProtocolName(p.protocol)}});
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
  return {{"deployments", deployments}, {"services", services}};
}

std::string ToJsonText(const Manifest& manifest) {
  return ToJson(manifest).dump(2, ' ', false, Json::error_handler_t::replace);
}

}  // namespace i2kit
