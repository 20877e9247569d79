// The Pod template of a Kubernetes Deployment: its containers and Pod-wide settings.
#include <set>

#include "common/kubernetes_container_fields.h"
#include "common/kubernetes_reader.h"
#include "common/names.h"
#include "common/pod_checks.h"

namespace i2kit {
namespace {

constexpr std::string_view kNoNodes = "each Pod is its own VM; there are no nodes to choose";

std::vector<EnvVar> ReadEnv(const YamlContext& ctx, const YAML::Node& node,
                            const std::string& path) {
  std::vector<EnvVar> env;
  if (!node.IsSequence()) {
    ctx.Error(node, path + ": got " + std::string(YamlKindName(node)), "a list of {name, value}");
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
    if (auto value = fields.String("value")) var.value = *value;
    fields.Unsupported("valueFrom",
                       "there are no ConfigMaps, Secrets or field references; give a value");
    fields.WarnUnknown();
    env.push_back(var);
  }
  return env;
}

std::vector<ContainerPort> ReadPorts(const YamlContext& ctx, const YAML::Node& node,
                                     const std::string& path, const std::string& container,
                                     PodPorts& pod_ports, std::set<std::string>& port_names) {
  std::vector<ContainerPort> ports;
  if (!node.IsSequence()) {
    ctx.Error(node, path + ": got " + std::string(YamlKindName(node)),
              "a list of {containerPort, protocol, name}");
    return ports;
  }
  for (size_t i = 0; i < node.size(); ++i) {
    std::string item = path + "[" + std::to_string(i) + "]";
    YamlFields fields(ctx, node[i], item);
    if (!fields.is_mapping()) continue;
    ContainerPort port;
    if (auto number =
            fields.Require("containerPort", "the port the container listens on, 1-65535")) {
      port.container_port = static_cast<int>(
          ReadInt(ctx, *number, fields.Child("containerPort"), 1, 65535).value_or(0));
    }
    if (auto protocol = fields.String("protocol")) {
      if (*protocol == "UDP")
        port.protocol = Protocol::kUdp;
      else if (*protocol == "SCTP")
        port.protocol = Protocol::kSctp;
      else if (*protocol != "TCP")
        ctx.Error(*fields.Get("protocol"),
                  fields.Child("protocol") + ": unknown protocol '" + *protocol + "'",
                  "TCP, UDP or SCTP");
    }
    if (auto name = fields.String("name")) {
      if (std::string why = CheckPortName(*name); !why.empty()) {
        ctx.Error(*fields.Get("name"),
                  fields.Child("name") + ": '" + *name + "' is not a valid port name: " + why,
                  "an IANA service name: 1-15 lower-case letters, digits and '-'");
      } else if (!port_names.insert(*name).second) {
        ctx.Error(*fields.Get("name"),
                  fields.Child("name") + ": '" + *name + "' is used twice in the Pod",
                  "unique port names");
      }
      port.name = *name;
    }
    if (auto host_port = fields.Int("hostPort", 0, 65535);
        host_port && *host_port != 0 && *host_port != port.container_port) {
      ctx.Error(*fields.Get("hostPort"), fields.Child("hostPort") + ": differs from containerPort",
                "no hostPort, or the same as containerPort: the Pod's address is its VM's");
    }
    fields.Ignored("hostIP", "the Pod's address is its VM's");
    fields.WarnUnknown();
    if (port.container_port != 0) {
      pod_ports.ClaimContainerPort(node[i], item, port.container_port, port.protocol, container);
      ports.push_back(port);
    }
  }
  return ports;
}

PullPolicy DefaultPullPolicy(const ImageReference& image) {
  // Kubernetes pulls ":latest" (or an untagged reference) every time, others when missing.
  return image.transport == ImageTransport::kRegistry && image.digest.empty() &&
                 image.tag == "latest"
             ? PullPolicy::kAlways
             : PullPolicy::kIfNotPresent;
}

std::optional<Container> ReadContainer(const YamlContext& ctx, const YAML::Node& node,
                                       const std::string& path, const SecurityContext& pod_security,
                                       PodPorts& pod_ports, std::set<std::string>& port_names,
                                       std::set<std::string>& container_names) {
  YamlFields fields(ctx, node, path);
  if (!fields.is_mapping()) return std::nullopt;
  int errors_before = ctx.diagnostics->error_count();
  Container c;
  c.location = ctx.Where(node);
  c.security_context = pod_security;
  if (auto name = fields.Require("name", "a container name")) {
    c.name = ReadDnsLabel(ctx, *name, fields.Child("name")).value_or("");
    if (!c.name.empty() && !container_names.insert(c.name).second) {
      ctx.Error(*name, fields.Child("name") + ": '" + c.name + "' is used twice in the Pod",
                "unique container names");
    }
  }
  if (auto image = fields.Require("image", "an image reference such as nginx:1.7.9")) {
    if (auto parsed = ReadImage(ctx, *image, fields.Child("image"))) c.image = *parsed;
  }
  c.pull_policy = DefaultPullPolicy(c.image);
  if (auto policy = fields.String("imagePullPolicy")) {
    if (*policy == "Always")
      c.pull_policy = PullPolicy::kAlways;
    else if (*policy == "IfNotPresent")
      c.pull_policy = PullPolicy::kIfNotPresent;
    else if (*policy == "Never")
      c.pull_policy = PullPolicy::kNever;
    else
      ctx.Error(*fields.Get("imagePullPolicy"),
                fields.Child("imagePullPolicy") + ": unknown policy '" + *policy + "'",
                "Always, IfNotPresent or Never");
  }
  if (auto command = fields.Get("command"))
    c.command =
        ReadStringList(ctx, *command, fields.Child("command")).value_or(std::vector<std::string>{});
  if (auto args = fields.Get("args"))
    c.args = ReadStringList(ctx, *args, fields.Child("args")).value_or(std::vector<std::string>{});
  if (auto dir = fields.String("workingDir")) {
    if (dir->empty() || dir->front() != '/') {
      ctx.Error(*fields.Get("workingDir"),
                fields.Child("workingDir") + ": '" + *dir + "' is not an absolute path",
                "an absolute path");
    }
    c.working_dir = *dir;
  }
  if (auto env = fields.Get("env")) c.env = ReadEnv(ctx, *env, fields.Child("env"));
  if (auto ports = fields.Get("ports"))
    c.ports = ReadPorts(ctx, *ports, fields.Child("ports"), c.name, pod_ports, port_names);
  if (auto resources = fields.Get("resources"))
    c.resources = ReadResources(ctx, *resources, fields.Child("resources"));
  if (auto security = fields.Get("securityContext")) {
    c.security_context =
        ReadSecurityContext(ctx, *security, fields.Child("securityContext"), pod_security, false);
  }
  const std::pair<const char*, ProbeKind> probes[] = {{"livenessProbe", ProbeKind::kLiveness},
                                                      {"readinessProbe", ProbeKind::kReadiness},
                                                      {"startupProbe", ProbeKind::kStartup}};
  for (const auto& [key, kind] : probes) {
    auto probe_node = fields.Get(key);
    if (!probe_node) continue;
    std::optional<Probe> probe = ReadProbe(ctx, *probe_node, fields.Child(key), kind, c.ports);
    if (kind == ProbeKind::kLiveness) c.liveness_probe = probe;
    if (kind == ProbeKind::kReadiness) c.readiness_probe = probe;
    if (kind == ProbeKind::kStartup) c.startup_probe = probe;
  }
  fields.Unsupported("envFrom", "there are no ConfigMaps or Secrets; list the variables in env");
  fields.Unsupported("volumeMounts", "Pod VMs have no volumes yet");
  fields.Unsupported("volumeDevices", "Pod VMs have no volumes yet");
  fields.Unsupported("lifecycle",
                     "postStart and preStop hooks are not implemented; the container gets SIGTERM");
  fields.Unsupported("restartPolicy", "sidecar containers are not implemented");
  fields.Unsupported("stdin", "nothing attaches to a Pod VM's containers");
  fields.Unsupported("stdinOnce", "nothing attaches to a Pod VM's containers");
  fields.Ignored("tty", "container output goes to the VM's log");
  fields.Ignored("terminationMessagePath", "exit reasons are reported by the agent");
  fields.Ignored("terminationMessagePolicy", "exit reasons are reported by the agent");
  fields.Ignored("resizePolicy", "a Pod VM is resized by replacing it");
  fields.WarnUnknown();
  if (ctx.diagnostics->error_count() != errors_before) return std::nullopt;
  return c;
}

}  // namespace

void ReadPodSpec(const YamlContext& ctx, const YAML::Node& spec_node, const std::string& path,
                 Deployment& deployment) {
  YamlFields spec(ctx, spec_node, path);
  if (!spec.is_mapping()) return;
  SecurityContext pod_security;
  if (auto security = spec.Get("securityContext")) {
    pod_security =
        ReadSecurityContext(ctx, *security, spec.Child("securityContext"), pod_security, true);
  }
  if (auto grace = spec.Int("terminationGracePeriodSeconds", 0, 86400)) {
    deployment.termination_grace_period_seconds = static_cast<int>(*grace);
  }
  if (auto policy = spec.String("restartPolicy"); policy && *policy != "Always") {
    ctx.Error(*spec.Get("restartPolicy"),
              spec.Child("restartPolicy") + ": '" + *policy + "' is not allowed in a Deployment",
              "Always, the only policy of a Deployment");
  }
  if (auto containers = spec.Require("containers", "a list of at least one container")) {
    if (!containers->IsSequence()) {
      ctx.Error(*containers,
                spec.Child("containers") + ": got " + std::string(YamlKindName(*containers)),
                "a list of containers");
    } else {
      PodPorts pod_ports(ctx);
      std::set<std::string> port_names;
      std::set<std::string> container_names;
      for (size_t i = 0; i < containers->size(); ++i) {
        std::string item = spec.Child("containers") + "[" + std::to_string(i) + "]";
        if (auto c = ReadContainer(ctx, (*containers)[i], item, pod_security, pod_ports, port_names,
                                   container_names)) {
          deployment.containers.push_back(std::move(*c));
        }
      }
      if (containers->size() == 0) {
        ctx.Error(*containers, spec.Child("containers") + ": is empty", "at least one container");
      }
    }
  }
  spec.Unsupported("initContainers", "not implemented yet");
  spec.Unsupported("ephemeralContainers", "nothing attaches to a Pod VM");
  spec.Unsupported("volumes", "Pod VMs have no volumes yet");
  spec.Unsupported("hostNetwork", "a Pod is its own VM; there is no host to share");
  spec.Unsupported("hostPID", "a Pod is its own VM; there is no host to share");
  spec.Unsupported("hostIPC", "a Pod is its own VM; there is no host to share");
  spec.Unsupported("shareProcessNamespace", "containers run in their own PID namespaces");
  spec.Unsupported("hostAliases", "not implemented; use DNS names");
  spec.Unsupported("activeDeadlineSeconds", "a Deployment's Pods run until replaced");
  for (const char* key :
       {"nodeSelector", "nodeName", "affinity", "tolerations", "topologySpreadConstraints",
        "schedulerName", "priorityClassName", "priority", "preemptionPolicy", "runtimeClassName",
        "overhead", "schedulingGates"}) {
    spec.Ignored(key, std::string(kNoNodes));
  }
  for (const char* key : {"serviceAccountName", "serviceAccount", "automountServiceAccountToken"}) {
    spec.Ignored(key, "there is no Kubernetes API in a Pod VM; on AWS the instance role applies");
  }
  spec.Ignored("imagePullSecrets",
               "images are pulled at build time with the builder's credentials");
  spec.Ignored("dnsPolicy", "i2kit sets the Pod's resolver");
  spec.Ignored("dnsConfig", "i2kit sets the Pod's resolver");
  spec.Ignored("enableServiceLinks", "i2kit injects no service variables");
  spec.Ignored("hostname", "the VM's hostname is the deployment's name and replica");
  spec.Ignored("subdomain", "the VM's hostname is the deployment's name and replica");
  spec.Ignored("setHostnameAsFQDN", "the VM's hostname is the deployment's name and replica");
  spec.Ignored("readinessGates", "readiness comes from the containers' probes");
  spec.Ignored("os", "Pod VMs are Linux");
  spec.WarnUnknown();
}

}  // namespace i2kit
