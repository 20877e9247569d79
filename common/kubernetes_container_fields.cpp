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
template <typename T>
void ReadProbeTarget(const YamlContext& ctx, YamlFields& fields,
                     const std::vector<ContainerPort>& ports, T& probe) {
  if (auto port = fields.Require("port", "a port number or name")) {
    probe.port = ReadProbePort(ctx, *port, fields.Child("port"), ports).value_or(0);
  }
  if (auto host = fields.String("host")) probe.host = *host;
}

// httpGet of a probe or a lifecycle hook (the same fields in both).
template <typename T>
void ReadHttpGet(const YamlContext& ctx, const YAML::Node& node, const std::string& path,
                 const std::vector<ContainerPort>& ports, T& out) {
  YamlFields h(ctx, node, path);
  if (!h.is_mapping()) return;
  ReadProbeTarget(ctx, h, ports, out);
  if (auto p = h.String("path")) {
    out.path = *p;
    if (p->empty() || p->front() != '/')
      ctx.Error(*h.Get("path"), h.Child("path") + ": '" + *p + "' is not an absolute path",
                "a path starting with '/'");
  }
  if (auto scheme = h.String("scheme")) {
    if (*scheme == "HTTP" || *scheme == "HTTPS")
      out.scheme = *scheme;
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
        out.http_headers.push_back(header);
      }
    }
  }
  h.WarnUnknown();
}

// An exec action's command: a non-empty list.
std::vector<std::string> ReadExecCommand(const YamlContext& ctx, const YAML::Node& node,
                                         const std::string& path) {
  YamlFields e(ctx, node, path);
  std::vector<std::string> out;
  if (!e.is_mapping()) return out;
  if (auto command = e.Require("command", "the command to run in the container")) {
    if (auto list = ReadStringList(ctx, *command, e.Child("command"))) {
      out = *list;
      if (list->empty()) ctx.Error(*command, e.Child("command") + ": is empty", "a command to run");
    }
  }
  e.WarnUnknown();
  return out;
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
    probe.command = ReadExecCommand(ctx, *exec, path + ".exec");
  }
  if (auto http = fields.Get("httpGet")) {
    ++actions;
    probe.action = ProbeAction::kHttpGet;
    ReadHttpGet(ctx, *http, path + ".httpGet", ports, probe);
  }
  if (auto tcp = fields.Get("tcpSocket")) {
    ++actions;
    probe.action = ProbeAction::kTcpSocket;
    YamlFields t(ctx, *tcp, path + ".tcpSocket");
    ReadProbeTarget(ctx, t, ports, probe);
    t.WarnUnknown();
  }
  if (auto grpc = fields.Get("grpc")) {
    ++actions;
    probe.action = ProbeAction::kGrpc;
    YamlFields g(ctx, *grpc, path + ".grpc");
    // Kubernetes takes only a number here, not a port name.
    if (auto port = g.Require("port", "the port number of the gRPC health service")) {
      probe.port = static_cast<int>(ReadInt(ctx, *port, g.Child("port"), 1, 65535).value_or(0));
    }
    if (auto service = g.String("service")) probe.grpc_service = *service;
    g.WarnUnknown();
  }
  if (actions != 1) {
    ctx.Error(node, path + ": has " + std::to_string(actions) + " probe actions",
              "exactly one of exec, httpGet, tcpSocket, grpc");
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
                                    PodSecurityContext* pod) {
  bool pod_level = pod != nullptr;
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
    if (auto group = fields.Int("fsGroup", 0, kMaxId)) pod->fs_group = *group;
    if (auto groups = fields.Get("supplementalGroups")) {
      if (!groups->IsSequence()) {
        ctx.Error(*groups, fields.Child("supplementalGroups") + ": got " + YamlKindName(*groups),
                  "a list of group ids");
      } else {
        for (size_t i = 0; i < groups->size(); ++i) {
          std::string item = fields.Child("supplementalGroups") + "[" + std::to_string(i) + "]";
          if (auto gid = ReadInt(ctx, (*groups)[i], item, 0, kMaxId))
            pod->supplemental_groups.push_back(*gid);
        }
      }
    }
    if (auto policy = fields.String("fsGroupChangePolicy")) {
      if (*policy == "OnRootMismatch")
        pod->fs_group_on_root_mismatch = true;
      else if (*policy != "Always")
        ctx.Error(*fields.Get("fsGroupChangePolicy"),
                  fields.Child("fsGroupChangePolicy") + ": unknown policy '" + *policy + "'",
                  "Always or OnRootMismatch");
    }
    if (auto policy = fields.String("supplementalGroupsPolicy"); policy && *policy != "Merge") {
      fields.Unsupported("supplementalGroupsPolicy",
                         "only Merge (the image's groups plus these) is implemented");
    }
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

namespace i2kit {
namespace {

std::optional<LifecycleHook> ReadLifecycleHook(const YamlContext& ctx, const YAML::Node& node,
                                               const std::string& path,
                                               const std::vector<ContainerPort>& ports) {
  YamlFields fields(ctx, node, path);
  if (!fields.is_mapping()) return std::nullopt;
  int errors_before = ctx.diagnostics->error_count();
  LifecycleHook hook;
  int actions = 0;
  if (auto exec = fields.Get("exec")) {
    ++actions;
    hook.action = HookAction::kExec;
    hook.command = ReadExecCommand(ctx, *exec, path + ".exec");
  }
  if (auto http = fields.Get("httpGet")) {
    ++actions;
    hook.action = HookAction::kHttpGet;
    ReadHttpGet(ctx, *http, path + ".httpGet", ports, hook);
  }
  if (auto sleep = fields.Get("sleep")) {
    ++actions;
    hook.action = HookAction::kSleep;
    YamlFields sf(ctx, *sleep, path + ".sleep");
    if (auto seconds = sf.Require("seconds", "how long to sleep, in seconds")) {
      hook.sleep_seconds =
          static_cast<int>(ReadInt(ctx, *seconds, sf.Child("seconds"), 0, 86400).value_or(0));
    }
    sf.WarnUnknown();
  }
  if (fields.Get("tcpSocket")) {
    ++actions;
    fields.Unsupported("tcpSocket",
                       "a tcpSocket hook is deprecated and the kubelet never runs it; use exec, "
                       "httpGet or sleep");
  }
  if (actions != 1) {
    ctx.Error(node, path + ": has " + std::to_string(actions) + " actions",
              "exactly one of exec, httpGet, sleep");
  }
  fields.WarnUnknown();
  if (ctx.diagnostics->error_count() != errors_before) return std::nullopt;
  return hook;
}

}  // namespace

Lifecycle ReadLifecycle(const YamlContext& ctx, const YAML::Node& node, const std::string& path,
                        const std::vector<ContainerPort>& ports) {
  Lifecycle lifecycle;
  YamlFields fields(ctx, node, path);
  if (!fields.is_mapping()) return lifecycle;
  if (auto hook = fields.Get("postStart"))
    lifecycle.post_start = ReadLifecycleHook(ctx, *hook, fields.Child("postStart"), ports);
  if (auto hook = fields.Get("preStop"))
    lifecycle.pre_stop = ReadLifecycleHook(ctx, *hook, fields.Child("preStop"), ports);
  fields.Unsupported("stopSignal", "containers are stopped with SIGTERM");
  fields.WarnUnknown();
  return lifecycle;
}

}  // namespace i2kit
