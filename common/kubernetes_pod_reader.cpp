// The Pod template of a Kubernetes Deployment: its containers and Pod-wide settings.
#include <set>

#include "common/kubernetes_container_fields.h"
#include "common/kubernetes_env.h"
#include "common/kubernetes_reader.h"
#include "common/kubernetes_volumes.h"
#include "common/names.h"
#include "common/pod_checks.h"

namespace i2kit {
namespace {

constexpr std::string_view kNoNodes = "each Pod is its own VM; there are no nodes to choose";

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

// What a container is read against: the Pod's settings and what its containers share.
struct PodScope {
  SecurityContext security;
  const std::vector<Volume>* volumes = nullptr;  // the deployment's, once read
  std::set<std::string> all_container_names;     // for resourceFieldRef.containerName
  std::set<std::string> port_names;
  std::set<std::string> container_names;  // read so far, for duplicates
};

std::optional<Container> ReadContainer(const YamlContext& ctx, const YAML::Node& node,
                                       const std::string& path, bool is_init, PodScope& pod,
                                       PodPorts& pod_ports) {
  const SecurityContext& pod_security = pod.security;
  std::set<std::string>& port_names = pod.port_names;
  std::set<std::string>& container_names = pod.container_names;
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
  if (auto env_from = fields.Get("envFrom"))
    c.env_from = ReadEnvFrom(ctx, *env_from, fields.Child("envFrom"));
  if (auto env = fields.Get("env"))
    c.env = ReadEnv(ctx, *env, fields.Child("env"), pod.all_container_names);
  if (auto ports = fields.Get("ports"))
    c.ports = ReadPorts(ctx, *ports, fields.Child("ports"), c.name, pod_ports, port_names);
  if (auto resources = fields.Get("resources"))
    c.resources = ReadResources(ctx, *resources, fields.Child("resources"));
  if (auto security = fields.Get("securityContext")) {
    c.security_context =
        ReadSecurityContext(ctx, *security, fields.Child("securityContext"), pod_security, nullptr);
  }
  if (auto mounts = fields.Get("volumeMounts"))
    c.volume_mounts = ReadVolumeMounts(ctx, *mounts, fields.Child("volumeMounts"),
                                       pod.volumes ? *pod.volumes : std::vector<Volume>{});
  if (is_init) {
    if (auto policy = fields.String("restartPolicy")) {
      if (*policy == "Always")
        c.restart_always = true;
      else
        ctx.Error(*fields.Get("restartPolicy"),
                  fields.Child("restartPolicy") + ": '" + *policy + "' is not a container policy",
                  "Always (a sidecar), or no restartPolicy (run to completion)");
    }
  } else {
    fields.Unsupported("restartPolicy",
                       "only init containers take restartPolicy (Always makes them sidecars)");
  }
  // An init container that runs to completion is never probed and has no lifecycle: the
  // API server refuses both, and so does i2kit.
  bool runs_to_completion = is_init && !c.restart_always;
  const std::pair<const char*, ProbeKind> probes[] = {{"livenessProbe", ProbeKind::kLiveness},
                                                      {"readinessProbe", ProbeKind::kReadiness},
                                                      {"startupProbe", ProbeKind::kStartup}};
  for (const auto& [key, kind] : probes) {
    auto probe_node = fields.Get(key);
    if (!probe_node) continue;
    if (runs_to_completion) {
      ctx.Error(*probe_node,
                fields.Child(key) + ": an init container runs to completion and is not probed",
                "probes only on containers, or on init containers with restartPolicy: Always");
      continue;
    }
    std::optional<Probe> probe = ReadProbe(ctx, *probe_node, fields.Child(key), kind, c.ports);
    if (kind == ProbeKind::kLiveness) c.liveness_probe = probe;
    if (kind == ProbeKind::kReadiness) c.readiness_probe = probe;
    if (kind == ProbeKind::kStartup) c.startup_probe = probe;
  }
  if (auto lifecycle = fields.Get("lifecycle")) {
    if (runs_to_completion) {
      ctx.Error(*lifecycle,
                fields.Child("lifecycle") +
                    ": an init container that runs to completion has no "
                    "lifecycle hooks",
                "lifecycle only on containers, or on init containers with restartPolicy: Always");
    } else {
      c.lifecycle = ReadLifecycle(ctx, *lifecycle, fields.Child("lifecycle"), c.ports);
    }
  }
  fields.Unsupported("volumeDevices", "a Pod VM has no block devices to give a container");
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

// serviceAccountName and automountServiceAccountToken: accepted; one note says what they
// become here, unless the token is already turned off (then nothing differs from Kubernetes).
void ReadServiceAccount(const YamlContext& ctx, YamlFields& spec) {
  std::optional<YAML::Node> name = spec.Get("serviceAccountName");
  if (auto legacy = spec.Get("serviceAccount"); legacy && !name) name = legacy;
  auto automount = spec.Bool("automountServiceAccountToken");
  if (automount && !*automount) return;
  std::optional<YAML::Node> at = name ? name : spec.Get("automountServiceAccountToken");
  if (!at) return;
  ctx.Warning(*at,
              spec.path() +
                  ": no service account token is mounted: there is no Kubernetes API "
                  "server in a Pod VM to call; on AWS the Pod VM's instance role is "
                  "its identity",
              {}, WarningKind::kNoMeaningHere);
}

}  // namespace

void ReadPodSpec(const YamlContext& ctx, const YAML::Node& spec_node, const std::string& path,
                 Deployment& deployment) {
  YamlFields spec(ctx, spec_node, path);
  if (!spec.is_mapping()) return;
  PodScope pod;
  if (auto security = spec.Get("securityContext")) {
    pod.security = ReadSecurityContext(ctx, *security, spec.Child("securityContext"), pod.security,
                                       &deployment.pod_security);
  }
  if (auto grace = spec.Int("terminationGracePeriodSeconds", 0, 86400)) {
    deployment.termination_grace_period_seconds = static_cast<int>(*grace);
  }
  if (auto policy = spec.String("restartPolicy"); policy && *policy != "Always") {
    ctx.Error(*spec.Get("restartPolicy"),
              spec.Child("restartPolicy") + ": '" + *policy + "' is not allowed in a Deployment",
              "Always, the only policy of a Deployment");
  }
  for (const char* key : {"containers", "initContainers"}) {
    const YAML::Node list = spec_node[key];
    if (!list || !list.IsSequence()) continue;
    for (const YAML::Node& c : list) {
      if (c.IsMap() && c["name"] && c["name"].IsScalar())
        pod.all_container_names.insert(c["name"].Scalar());
    }
  }
  if (auto volumes = spec.Get("volumes")) {
    deployment.volumes = ReadVolumes(ctx, *volumes, spec.Child("volumes"), pod.all_container_names);
    pod.volumes = &deployment.volumes;
  }
  PodPorts pod_ports(ctx);
  if (auto init = spec.Get("initContainers")) {
    if (!init->IsSequence()) {
      ctx.Error(*init, spec.Child("initContainers") + ": got " + std::string(YamlKindName(*init)),
                "a list of containers");
    } else {
      for (size_t i = 0; i < init->size(); ++i) {
        std::string item = spec.Child("initContainers") + "[" + std::to_string(i) + "]";
        if (auto c = ReadContainer(ctx, (*init)[i], item, true, pod, pod_ports))
          deployment.init_containers.push_back(std::move(*c));
      }
    }
  }
  if (auto containers = spec.Require("containers", "a list of at least one container")) {
    if (!containers->IsSequence()) {
      ctx.Error(*containers,
                spec.Child("containers") + ": got " + std::string(YamlKindName(*containers)),
                "a list of containers");
    } else {
      for (size_t i = 0; i < containers->size(); ++i) {
        std::string item = spec.Child("containers") + "[" + std::to_string(i) + "]";
        if (auto c = ReadContainer(ctx, (*containers)[i], item, false, pod, pod_ports)) {
          deployment.containers.push_back(std::move(*c));
        }
      }
      if (containers->size() == 0) {
        ctx.Error(*containers, spec.Child("containers") + ": is empty", "at least one container");
      }
    }
  }
  spec.Unsupported("ephemeralContainers", "nothing attaches to a Pod VM");
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
  ReadServiceAccount(ctx, spec);
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
