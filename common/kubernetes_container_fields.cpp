#include "common/kubernetes_container_fields.h"

#include "common/capability_names.h"
#include "common/names.h"
#include "common/quantity.h"

namespace i2kit {
namespace {

constexpr int64_t kMaxId = 2147483647;  // uids and gids are int32 in the Kubernetes API

// A probe port: a number, or the name of one of the container's ports.
std::optional<int> ReadProbePort(const YamlContext& ctx, const YAML::Node& node,
                                 const std::string& path, const std::vector<ContainerPort>& ports) {
  if (node.IsScalar() && node.Tag() != "!" &&
      node.Scalar().find_first_not_of("0123456789") == std::string::npos) {
    auto n = ReadInt(ctx, node, path, 1, 65535);
    if (!n) return std::nullopt;
    return static_cast<int>(*n);
  }
  auto name = ReadString(ctx, node, path);
  if (!name) return std::nullopt;
  for (const ContainerPort& p : ports) {
    if (p.name == *name) return p.container_port;
  }
  ctx.Error(node, path + ": no port of this container is named '" + *name + "'",
            "a port number or the name of one of the container's ports");
  return std::nullopt;
}

// The port and host an httpGet or tcpSocket probe connects to.
void ReadProbeTarget(const YamlContext& ctx, YamlFields& fields,
                     const std::vector<ContainerPort>& ports, Probe& probe) {
  if (auto port = fields.Require("port", "a port number or name")) {
    probe.port = ReadProbePort(ctx, *port, fields.Child("port"), ports).value_or(0);
  }
  if (auto host = fields.String("host")) probe.host = *host;
}

}  // namespace

std::optional<Probe> ReadProbe(const YamlContext& ctx, const YAML::Node& node,
                               const std::string& path, ProbeKind kind,
                               const std::vector<ContainerPort>& ports) {
  YamlFields fields(ctx, node, path);
  if (!fields.is_mapping()) return std::nullopt;
  int errors_before = ctx.diagnostics->error_count();
  Probe probe;
  int actions = 0;
  if (auto exec = fields.Get("exec")) {
    ++actions;
    probe.action = ProbeAction::kExec;
    YamlFields e(ctx, *exec, path + ".exec");
    if (auto command = e.Require("command", "the command to run in the container")) {
      if (auto list = ReadStringList(ctx, *command, e.Child("command"))) {
        probe.command = *list;
        if (list->empty())
          ctx.Error(*command, e.Child("command") + ": is empty", "a command to run");
      }
    }
    e.WarnUnknown();
  }
  if (auto http = fields.Get("httpGet")) {
    ++actions;
    probe.action = ProbeAction::kHttpGet;
    YamlFields h(ctx, *http, path + ".httpGet");
    ReadProbeTarget(ctx, h, ports, probe);
    if (auto p = h.String("path")) {
      probe.path = *p;
      if (p->empty() || p->front() != '/')
        ctx.Error(*h.Get("path"), h.Child("path") + ": '" + *p + "' is not an absolute path",
                  "a path starting with '/'");
    }
    if (auto scheme = h.String("scheme")) {
      if (*scheme == "HTTP" || *scheme == "HTTPS")
        probe.scheme = *scheme;
      else
        ctx.Error(*h.Get("scheme"), h.Child("scheme") + ": unknown scheme '" + *scheme + "'",
                  "HTTP or HTTPS");
    }
    if (auto headers = h.Get("httpHeaders")) {
      if (!headers->IsSequence()) {
        ctx.Error(*headers, h.Child("httpHeaders") + ": got " + YamlKindName(*headers),
                  "a list of {name, value}");
      } else {
        for (size_t i = 0; i < headers->size(); ++i) {
          YamlFields hf(ctx, (*headers)[i], h.Child("httpHeaders") + "[" + std::to_string(i) + "]");
          auto name = hf.Require("name", "a header name");
          auto value = hf.Get("value");
          EnvVar header;
          if (name) header.name = ReadString(ctx, *name, hf.Child("name")).value_or("");
          if (value) header.value = ReadString(ctx, *value, hf.Child("value")).value_or("");
          hf.WarnUnknown();
          probe.http_headers.push_back(header);
        }
      }
    }
    h.WarnUnknown();
  }
  if (auto tcp = fields.Get("tcpSocket")) {
    ++actions;
    probe.action = ProbeAction::kTcpSocket;
    YamlFields t(ctx, *tcp, path + ".tcpSocket");
    ReadProbeTarget(ctx, t, ports, probe);
    t.WarnUnknown();
  }
  fields.Unsupported("grpc", "use httpGet, tcpSocket or exec");
  if (fields.Get("grpc")) ++actions;
  if (actions != 1) {
    ctx.Error(node, path + ": has " + std::to_string(actions) + " probe actions",
              "exactly one of exec, httpGet, tcpSocket");
  }
  // Zero means "not set" in the Kubernetes API, so it gets the default too.
  auto timing = [&](std::string_view key, int64_t min, int fallback) {
    int value = static_cast<int>(fields.Int(key, min, 86400).value_or(0));
    return value == 0 ? fallback : value;
  };
  probe.initial_delay_seconds =
      static_cast<int>(fields.Int("initialDelaySeconds", 0, 86400).value_or(0));
  probe.timeout_seconds = timing("timeoutSeconds", 0, 1);
  probe.period_seconds = timing("periodSeconds", 0, 10);
  probe.success_threshold = timing("successThreshold", 0, 1);
  probe.failure_threshold = timing("failureThreshold", 0, 3);
  if (kind != ProbeKind::kReadiness && probe.success_threshold != 1) {
    ctx.Error(*fields.Get("successThreshold"),
              path + ".successThreshold: must be 1 for liveness and startup probes", "1");
  }
  fields.Unsupported("terminationGracePeriodSeconds", "set it on the Pod spec");
  fields.WarnUnknown();
  if (ctx.diagnostics->error_count() != errors_before) return std::nullopt;
  return probe;
}

SecurityContext ReadSecurityContext(const YamlContext& ctx, const YAML::Node& node,
                                    const std::string& path, const SecurityContext& inherited,
                                    bool pod_level) {
  SecurityContext sc = inherited;
  YamlFields fields(ctx, node, path);
  if (!fields.is_mapping()) return sc;
  if (auto uid = fields.Int("runAsUser", 0, kMaxId)) sc.run_as_user = *uid;
  if (auto gid = fields.Int("runAsGroup", 0, kMaxId)) sc.run_as_group = *gid;
  if (auto non_root = fields.Bool("runAsNonRoot")) sc.run_as_non_root = *non_root;
  if (sc.run_as_non_root.value_or(false) && sc.run_as_user == 0) {
    ctx.Error(node, path + ": runAsNonRoot is true but runAsUser is 0 (root)",
              "runAsUser above 0, or runAsNonRoot false");
  }
  if (auto seccomp = fields.Get("seccompProfile")) {
    YamlFields sf(ctx, *seccomp, path + ".seccompProfile");
    if (auto type = sf.Require("type", "RuntimeDefault, Unconfined or Localhost")) {
      auto text = ReadString(ctx, *type, sf.Child("type"));
      if (text && *text == "RuntimeDefault")
        sc.seccomp_profile.type = SeccompProfileType::kRuntimeDefault;
      else if (text && *text == "Unconfined")
        sc.seccomp_profile.type = SeccompProfileType::kUnconfined;
      else if (text && *text == "Localhost")
        sc.seccomp_profile.type = SeccompProfileType::kLocalhost;
      else if (text)
        ctx.Error(*type, sf.Child("type") + ": unknown profile type '" + *text + "'",
                  "RuntimeDefault, Unconfined or Localhost");
    }
    auto local = sf.String("localhostProfile");
    if (sc.seccomp_profile.type == SeccompProfileType::kLocalhost) {
      if (!local || local->empty() || local->front() == '/' ||
          local->find("..") != std::string::npos) {
        ctx.Error(*seccomp, sf.Child("localhostProfile") + ": missing or not a relative path",
                  "a relative path to a profile file, with type Localhost");
      } else {
        sc.seccomp_profile.localhost_profile = *local;
      }
    } else if (local) {
      ctx.Error(*sf.Get("localhostProfile"),
                sf.Child("localhostProfile") + ": set without type Localhost", "type: Localhost");
    }
    sf.WarnUnknown();
  }
  fields.Ignored("seLinuxOptions", "the Pod VM runs no SELinux policy");
  fields.Ignored("appArmorProfile",
                 "the Pod VM runs no AppArmor policy; seccomp and capabilities confine it");
  fields.Ignored("windowsOptions", "Pod VMs are Linux");
  if (pod_level) {
    fields.Unsupported("fsGroup", "there are no volumes");
    fields.Ignored("fsGroupChangePolicy", "there are no volumes");
    fields.Unsupported("supplementalGroups", "not yet implemented");
    fields.Unsupported("sysctls", "each Pod's kernel is configured by i2kit");
    fields.WarnUnknown();
    return sc;
  }
  if (auto ro = fields.Bool("readOnlyRootFilesystem")) sc.read_only_root_filesystem = *ro;
  if (auto escalation = fields.Bool("allowPrivilegeEscalation"))
    sc.allow_privilege_escalation = *escalation;
  if (auto privileged = fields.Bool("privileged"); privileged && *privileged) {
    fields.Unsupported("privileged",
                       "a privileged container could control the whole Pod VM; add the "
                       "capabilities it needs instead");
  }
  if (auto proc_mount = fields.String("procMount"); proc_mount && *proc_mount != "Default") {
    fields.Unsupported("procMount", "only the Default /proc mount is offered");
  }
  if (auto caps = fields.Get("capabilities")) {
    YamlFields cf(ctx, *caps, path + ".capabilities");
    auto read_caps = [&](std::string_view key, std::vector<std::string>& out) {
      auto list_node = cf.Get(key);
      if (!list_node) return;
      auto names = ReadStringList(ctx, *list_node, cf.Child(key));
      if (!names) return;
      for (size_t i = 0; i < names->size(); ++i) {
        Result<std::string> normalized = NormalizeCapabilityName((*names)[i]);
        if (!normalized.ok()) {
          ctx.Error((*list_node)[i],
                    cf.Child(key) + "[" + std::to_string(i) + "]: " + normalized.status().message(),
                    "a Linux capability name such as NET_BIND_SERVICE or CAP_CHOWN, or ALL");
        } else {
          out.push_back(*normalized);
        }
      }
    };
    read_caps("add", sc.capabilities_add);
    read_caps("drop", sc.capabilities_drop);
    cf.WarnUnknown();
  }
  fields.WarnUnknown();
  return sc;
}

Resources ReadResources(const YamlContext& ctx, const YAML::Node& node, const std::string& path) {
  Resources r;
  YamlFields fields(ctx, node, path);
  if (!fields.is_mapping()) return r;
  auto read_list = [&](std::string_view key, ResourceList& out) {
    auto list = fields.Get(key);
    if (!list) return;
    YamlFields lf(ctx, *list, fields.Child(key));
    if (auto cpu = lf.String("cpu")) {
      Result<int64_t> millis = ParseCpuMillis(*cpu);
      if (millis.ok())
        out.cpu_millis = *millis;
      else
        ctx.Error(*lf.Get("cpu"), lf.Child("cpu") + ": " + millis.status().message(),
                  "a CPU quantity such as 250m, 0.5 or 2");
    }
    if (auto memory = lf.String("memory")) {
      Result<int64_t> bytes = ParseMemoryBytes(*memory);
      if (bytes.ok())
        out.memory_bytes = *bytes;
      else
        ctx.Error(*lf.Get("memory"), lf.Child("memory") + ": " + bytes.status().message(),
                  "a memory quantity such as 64Mi, 1G or 128974848");
    }
    lf.Ignored("ephemeral-storage", "a Pod VM's disk is sized by its images");
    lf.WarnUnknown();
  };
  read_list("requests", r.requests);
  read_list("limits", r.limits);
  fields.Unsupported("claims", "there are no dynamic resources");
  fields.WarnUnknown();
  // A limit without a request makes the request equal to the limit.
  if (!r.requests.cpu_millis) r.requests.cpu_millis = r.limits.cpu_millis;
  if (!r.requests.memory_bytes) r.requests.memory_bytes = r.limits.memory_bytes;
  if (r.limits.cpu_millis && *r.requests.cpu_millis > *r.limits.cpu_millis) {
    ctx.Error(node, path + ".requests.cpu: is above limits.cpu",
              "a request no larger than its limit");
  }
  if (r.limits.memory_bytes && *r.requests.memory_bytes > *r.limits.memory_bytes) {
    ctx.Error(node, path + ".requests.memory: is above limits.memory",
              "a request no larger than its limit");
  }
  return r;
}

}  // namespace i2kit
