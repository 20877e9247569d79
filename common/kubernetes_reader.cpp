#include "common/kubernetes_reader.h"

#include <algorithm>
#include <set>

#include "common/kubernetes_volumes.h"
#include "common/names.h"
#include "common/yaml_fields.h"

namespace i2kit {
namespace {

constexpr std::string_view kNoNamespaces = "i2kit has no namespaces; names are global";

// Kinds that do something in a cluster and nothing in a Pod VM: read, warned about (an error
// with --strict), and otherwise left alone. Each says what it would have done and why not here.
struct KindWithoutMeaning {
  std::string_view kind;
  std::string_view would;  // what it does in Kubernetes
  std::string_view here;   // why nothing happens in a Pod VM
};

constexpr KindWithoutMeaning kKindsWithoutMeaning[] = {
    {"Namespace", "create a scope for names",
     "names are global to the files given; metadata.namespace is kept for fieldRef only"},
    {"ServiceAccount", "give Pods an identity for the Kubernetes API",
     "there is no Kubernetes API server; on AWS a Pod VM acts with its instance role"},
    {"Role", "grant access to the Kubernetes API in a namespace",
     "there is no Kubernetes API server to grant access to"},
    {"RoleBinding", "grant a Role to a subject", "there is no Kubernetes API server"},
    {"ClusterRole", "grant access to the Kubernetes API cluster-wide",
     "there is no Kubernetes API server to grant access to"},
    {"ClusterRoleBinding", "grant a ClusterRole to a subject", "there is no Kubernetes API server"},
    {"PodDisruptionBudget", "limit how many Pods node drains may evict at once",
     "there are no nodes to drain; rollouts follow the Deployment's maxUnavailable"},
    {"HorizontalPodAutoscaler", "change a Deployment's replicas with its load",
     "the replicas stay at spec.replicas; scale with the Deployment itself"},
    {"VerticalPodAutoscaler", "change containers' resource requests with their use",
     "the resources stay as written; each Pod VM is sized from them"},
    {"NetworkPolicy", "restrict the traffic between Pods",
     "nothing enforces it: every Pod VM is reachable on its declared ports by the others"},
    {"ResourceQuota", "cap the resources a namespace may use",
     "there is no shared cluster to apportion; each Pod VM gets its own resources"},
    {"LimitRange", "give containers default requests and limits",
     "no defaults are applied; containers get only the resources written on them"},
    {"PriorityClass", "rank Pods for scheduling and preemption",
     "there is no scheduler; every Pod gets its own VM"},
    {"IngressClass", "name the controller that serves Ingresses",
     "there is no Ingress controller; Services of type LoadBalancer are the way in"},
};

// Ingress would leave an app unreachable the way its author meant it to be reached, so it is
// refused, naming the way that works.
constexpr std::string_view kIngressWhy =
    "kind: Ingress is not supported by i2kit: no Ingress controller runs here, so its routes "
    "would not exist";

void WarnKindWithoutMeaning(const YamlContext& ctx, const YAML::Node& kind_node,
                            const KindWithoutMeaning& kind, const YAML::Node& doc) {
  std::string name;
  if (doc["metadata"] && doc["metadata"].IsMap() && doc["metadata"]["name"] &&
      doc["metadata"]["name"].IsScalar()) {
    name = " '" + doc["metadata"]["name"].Scalar() + "'";
  }
  ctx.Warning(kind_node,
              "kind: " + std::string(kind.kind) + name + " is ignored: in Kubernetes it would " +
                  std::string(kind.would) + "; here " + std::string(kind.here),
              {}, WarningKind::kNoMeaningHere);
}

std::optional<std::map<std::string, std::string>> ReadLabels(const YamlContext& ctx,
                                                             const YAML::Node& node,
                                                             const std::string& path) {
  auto labels = ReadStringMap(ctx, node, path);
  if (!labels) return std::nullopt;
  bool ok = true;
  for (auto it = node.begin(); it != node.end(); ++it) {
    if (!it->first.IsScalar()) continue;
    const std::string& key = it->first.Scalar();
    std::string why = CheckLabelKey(key);
    if (!why.empty()) {
      ctx.Error(it->first, path + "." + key + ": invalid label key: " + why,
                "[prefix/]name of at most 63 characters");
      ok = false;
    } else if (std::string value_why = CheckLabelValue((*labels)[key]); !value_why.empty()) {
      ctx.Error(it->second, path + "." + key + ": invalid label value: " + value_why,
                "at most 63 letters, digits, '-', '_' or '.'");
      ok = false;
    }
  }
  if (!ok) return std::nullopt;
  return labels;
}

}  // namespace

std::optional<Metadata> ReadMetadata(const YamlContext& ctx, YamlFields& object,
                                     std::string (*check_name)(std::string_view),
                                     std::string_view name_rule) {
  auto node = object.Require("metadata", "metadata with a name");
  if (!node) return std::nullopt;
  YamlFields fields(ctx, *node, "metadata");
  if (!fields.is_mapping()) return std::nullopt;
  Metadata meta;
  bool ok = true;
  if (auto name = fields.Require("name", std::string(name_rule))) {
    if (auto text = ReadString(ctx, *name, "metadata.name")) {
      if (std::string why = check_name(*text); !why.empty()) {
        ctx.Error(*name, "metadata.name: '" + *text + "' is not a valid name: " + why,
                  std::string(name_rule));
        ok = false;
      }
      meta.name = *text;
    } else {
      ok = false;
    }
  } else {
    ok = false;
  }
  if (auto labels = fields.Get("labels")) {
    if (auto read = ReadLabels(ctx, *labels, "metadata.labels"))
      meta.labels = *read;
    else
      ok = false;
  }
  fields.Get("annotations");  // free-form notes for tools; i2kit keeps none
  if (auto ns = fields.Get("namespace")) {
    if (auto text = ReadString(ctx, *ns, "metadata.namespace")) {
      if (std::string why = CheckDns1123Label(*text); !why.empty()) {
        ctx.Error(*ns, "metadata.namespace: '" + *text + "' is not a valid namespace: " + why,
                  "a DNS-1123 label");
        ok = false;
      }
      meta.namespace_name = *text;
    } else {
      ok = false;
    }
  }
  fields.Unsupported("generateName",
                     "a deployment needs a stable name: it becomes DNS and AWS names");
  for (const char* server_side : {"uid", "resourceVersion", "generation", "creationTimestamp",
                                  "managedFields", "selfLink", "ownerReferences", "finalizers"}) {
    fields.Ignored(server_side, "it is set by a Kubernetes API server");
  }
  fields.WarnUnknown();
  if (!ok) return std::nullopt;
  return meta;
}

namespace {

// maxSurge / maxUnavailable: an integer or "N%".
std::optional<IntOrPercent> ReadIntOrPercent(const YamlContext& ctx, const YAML::Node& node,
                                             const std::string& path) {
  constexpr std::string_view kExpected = "an integer >= 0 or a percentage such as 25%";
  if (node.IsScalar() && node.Tag() != "!" && node.Scalar().find('%') == std::string::npos) {
    auto value = ReadInt(ctx, node, path, 0, 1000000);
    if (!value) return std::nullopt;
    return IntOrPercent{static_cast<int>(*value), false};
  }
  auto text = ReadString(ctx, node, path);
  if (!text) return std::nullopt;
  std::string digits = text->substr(0, text->size() - 1);
  if (text->size() < 2 || text->back() != '%' || digits.size() > 3 ||
      digits.find_first_not_of("0123456789") != std::string::npos) {
    ctx.Error(node, path + ": '" + *text + "' is not an integer or a percentage",
              std::string(kExpected));
    return std::nullopt;
  }
  return IntOrPercent{std::stoi(digits), true};
}

void ReadStrategy(const YamlContext& ctx, const YAML::Node& node, Deployment& d) {
  YamlFields fields(ctx, node, "spec.strategy");
  if (!fields.is_mapping()) return;
  if (auto type = fields.String("type")) {
    if (*type == "RollingUpdate")
      d.strategy.type = StrategyType::kRollingUpdate;
    else if (*type == "Recreate")
      d.strategy.type = StrategyType::kRecreate;
    else
      ctx.Error(*fields.Get("type"), "spec.strategy.type: unknown strategy '" + *type + "'",
                "RollingUpdate or Recreate");
  }
  if (auto rolling = fields.Get("rollingUpdate")) {
    if (d.strategy.type == StrategyType::kRecreate) {
      ctx.Error(*rolling, "spec.strategy.rollingUpdate: given with type Recreate",
                "rollingUpdate only with type RollingUpdate");
    }
    YamlFields ru(ctx, *rolling, "spec.strategy.rollingUpdate");
    if (auto surge = ru.Get("maxSurge")) {
      if (auto v = ReadIntOrPercent(ctx, *surge, ru.Child("maxSurge"))) d.strategy.max_surge = *v;
    }
    if (auto unavailable = ru.Get("maxUnavailable")) {
      if (auto v = ReadIntOrPercent(ctx, *unavailable, ru.Child("maxUnavailable"))) {
        if (v->is_percent && v->value > 100) {
          ctx.Error(*unavailable,
                    "spec.strategy.rollingUpdate.maxUnavailable: " + std::to_string(v->value) +
                        "% is above 100%",
                    "at most 100%");
        }
        d.strategy.max_unavailable = *v;
      }
    }
    if (d.strategy.max_surge.value == 0 && d.strategy.max_unavailable.value == 0) {
      ctx.Error(*rolling,
                "spec.strategy.rollingUpdate: maxSurge and maxUnavailable are both 0, so no "
                "replica could ever be replaced",
                "at least one of them above 0");
    }
    ru.WarnUnknown();
  }
  fields.WarnUnknown();
}

void ReadDeployment(const YamlContext& ctx, YamlFields& object, std::string_view api_version,
                    Manifest& out) {
  int errors_before = ctx.diagnostics->error_count();
  Deployment d;
  d.format = ManifestFormat::kKubernetes;
  d.location = ctx.Where(object.node());
  // extensions/v1beta1 predates apps/v1's defaults: one surge, one unavailable, and a
  // selector defaulted from the template's labels.
  bool legacy = api_version == "extensions/v1beta1";
  if (legacy) d.strategy.max_surge = d.strategy.max_unavailable = IntOrPercent{1, false};
  auto meta = ReadMetadata(ctx, object, CheckDns1123Label,
                           "a DNS-1123 label: 1-63 lower-case letters, digits and '-', as it "
                           "becomes a host and DNS name");
  if (meta) {
    d.name = meta->name;
    d.namespace_name = meta->namespace_name;
  }
  object.Ignored("status", "it is reported by a Kubernetes API server");
  auto spec_node = object.Require("spec", "a Deployment spec");
  object.WarnUnknown();
  if (!spec_node) return;
  YamlFields spec(ctx, *spec_node, "spec");
  if (!spec.is_mapping()) return;
  d.replicas = static_cast<int>(spec.Int("replicas", 0, 10000).value_or(1));
  d.min_ready_seconds = static_cast<int>(spec.Int("minReadySeconds", 0, 86400).value_or(0));
  d.progress_deadline_seconds =
      static_cast<int>(spec.Int("progressDeadlineSeconds", 1, 86400 * 7).value_or(600));
  if (d.progress_deadline_seconds <= d.min_ready_seconds && spec.Get("progressDeadlineSeconds")) {
    ctx.Error(*spec.Get("progressDeadlineSeconds"),
              "spec.progressDeadlineSeconds: must be greater than minReadySeconds",
              "more than " + std::to_string(d.min_ready_seconds));
  }
  spec.Ignored("revisionHistoryLimit",
               "an update replaces VMs; old images are kept by the builder");
  if (auto paused = spec.Bool("paused"); paused && *paused) {
    spec.Unsupported("paused", "a paused deployment cannot be expressed; omit it or set false");
  }
  if (auto strategy = spec.Get("strategy")) ReadStrategy(ctx, *strategy, d);

  std::optional<YAML::Node> selector_node =
      legacy ? spec.Get("selector")
             : spec.Require("selector", "selector.matchLabels matching the template's labels");
  if (selector_node) {
    YamlFields selector(ctx, *selector_node, "spec.selector");
    if (auto match = selector.Get("matchLabels")) {
      if (auto labels = ReadLabels(ctx, *match, "spec.selector.matchLabels")) d.selector = *labels;
    }
    selector.Unsupported("matchExpressions", "use matchLabels");
    selector.WarnUnknown();
    if (selector.is_mapping() && d.selector.empty() && !selector.Get("matchExpressions")) {
      ctx.Error(*selector_node, "spec.selector: selects nothing",
                "matchLabels with at least one label");
    }
  }

  if (auto tmpl_node = spec.Require("template", "a Pod template with metadata.labels and spec")) {
    YamlFields tmpl(ctx, *tmpl_node, "spec.template");
    if (auto tmeta = tmpl.Get("metadata")) {
      YamlFields tm(ctx, *tmeta, "spec.template.metadata");
      if (auto labels = tm.Get("labels")) {
        if (auto read = ReadLabels(ctx, *labels, "spec.template.metadata.labels")) d.labels = *read;
      }
      tm.Get("annotations");
      tm.Ignored("name", "Pods are named after their deployment and replica");
      tm.Ignored("namespace", std::string(kNoNamespaces));
      tm.WarnUnknown();
    }
    if (legacy && !selector_node) d.selector = d.labels;
    if (!d.selector.empty() && !SelectorMatches(d.selector, d.labels)) {
      ctx.Error(tmpl.Get("metadata").value_or(*tmpl_node),
                "spec.template.metadata.labels: do not match spec.selector.matchLabels",
                "every selector label among the template's labels");
    }
    if (auto pod_spec = tmpl.Require("spec", "a Pod spec with containers")) {
      ReadPodSpec(ctx, *pod_spec, "spec.template.spec", d);
    }
    tmpl.WarnUnknown();
  }
  if (!PersistentVolumes(d).empty()) {
    // A disk is attached to one VM at a time: the old VM stops before the new one starts.
    if (d.replicas > 1) {
      ctx.Error(spec.Get("replicas").value_or(*spec_node),
                "spec.replicas: " + std::to_string(d.replicas) +
                    " VMs cannot share a persistentVolumeClaim: a disk is attached to one VM at "
                    "a time",
                "replicas: 0 or 1 with a persistentVolumeClaim volume");
    }
    if (spec.Get("strategy") && d.strategy.type == StrategyType::kRollingUpdate) {
      ctx.Error(*spec.Get("strategy"),
                "spec.strategy: RollingUpdate would start the new VM while the old one holds "
                "the persistentVolumeClaim's disk",
                "type: Recreate, or no strategy");
    }
    d.stateful = true;
    d.strategy.type = StrategyType::kRecreate;
  }
  spec.WarnUnknown();
  if (ctx.diagnostics->error_count() == errors_before) out.deployments.push_back(std::move(d));
}

Protocol ReadProtocol(const YamlContext& ctx, YamlFields& fields) {
  auto text = fields.String("protocol");
  if (!text || *text == "TCP") return Protocol::kTcp;
  if (*text == "UDP") return Protocol::kUdp;
  if (*text == "SCTP") return Protocol::kSctp;
  ctx.Error(*fields.Get("protocol"),
            fields.Child("protocol") + ": unknown protocol '" + *text + "'", "TCP, UDP or SCTP");
  return Protocol::kTcp;
}

// Kubernetes' default NodePort range (kube-apiserver --service-node-port-range).
constexpr int kMinNodePort = 30000;
constexpr int kMaxNodePort = 32767;

void ReadServicePorts(const YamlContext& ctx, const YAML::Node& node, Service& s) {
  if (!node.IsSequence() || node.size() == 0) {
    ctx.Error(
        node,
        "spec.ports: got " + std::string(node.IsSequence() ? "an empty list" : YamlKindName(node)),
        "a list of at least one {port, targetPort, protocol}");
    return;
  }
  std::set<std::pair<int, Protocol>> numbers;
  std::set<std::string> names;
  for (size_t i = 0; i < node.size(); ++i) {
    std::string path = "spec.ports[" + std::to_string(i) + "]";
    YamlFields fields(ctx, node[i], path);
    if (!fields.is_mapping()) continue;
    ServicePort port;
    if (auto name = fields.String("name")) {
      if (std::string why = CheckDns1123Label(*name); !why.empty()) {
        ctx.Error(*fields.Get("name"), path + ".name: '" + *name + "': " + why, "a DNS-1123 label");
      } else if (!names.insert(*name).second) {
        ctx.Error(*fields.Get("name"), path + ".name: '" + *name + "' is used twice",
                  "unique port names");
      }
      port.name = *name;
    } else if (node.size() > 1) {
      ctx.Error(node[i], path + ".name: missing", "a name on every port of a multi-port Service");
    }
    if (auto number = fields.Require("port", "the port the Service listens on, 1-65535")) {
      port.port = static_cast<int>(ReadInt(ctx, *number, path + ".port", 1, 65535).value_or(0));
    }
    port.protocol = ReadProtocol(ctx, fields);
    if (port.port != 0 && !numbers.insert({port.port, port.protocol}).second) {
      ctx.Error(node[i],
                path + ": port " + std::to_string(port.port) + "/" + ProtocolName(port.protocol) +
                    " is listed twice",
                "each port and protocol once");
    }
    port.target_port = port.port;
    if (auto target = fields.Get("targetPort")) {
      if (target->IsScalar() && target->Tag() != "!" &&
          target->Scalar().find_first_not_of("0123456789") == std::string::npos) {
        port.target_port =
            static_cast<int>(ReadInt(ctx, *target, path + ".targetPort", 1, 65535).value_or(0));
      } else if (auto name = ReadString(ctx, *target, path + ".targetPort")) {
        if (std::string why = CheckPortName(*name); !why.empty()) {
          ctx.Error(*target,
                    path + ".targetPort: '" + *name +
                        "' is neither a port number nor a port name: " + why,
                    "1-65535 or a container port's name");
        }
        port.target_port = 0;
        port.target_port_name = *name;
      }
    }
    if (auto node_port = fields.Get("nodePort")) {
      if (s.type == ServiceType::kNodePort) {
        port.node_port = static_cast<int>(
            ReadInt(ctx, *node_port, path + ".nodePort", kMinNodePort, kMaxNodePort).value_or(0));
      } else if (s.type == ServiceType::kLoadBalancer) {
        ctx.Warning(*node_port,
                    path + ".nodePort is ignored: the load balancer listens on `port` itself");
      } else {
        ctx.Error(*node_port, path + ".nodePort: given on a ClusterIP Service",
                  "nodePort only with type NodePort (as Kubernetes requires)");
      }
    }
    fields.Ignored("appProtocol", "the load balancer's protocol follows the port's protocol");
    fields.WarnUnknown();
    s.ports.push_back(port);
  }
}

void ReadService(const YamlContext& ctx, YamlFields& object, Manifest& out) {
  int errors_before = ctx.diagnostics->error_count();
  Service s;
  s.location = ctx.Where(object.node());
  auto meta = ReadMetadata(ctx, object, CheckDns1035Label,
                           "a DNS-1035 label: 1-63 lower-case letters, digits and '-', starting "
                           "with a letter");
  if (meta) {
    s.name = meta->name;
    s.labels = meta->labels;
  }
  object.Ignored("status", "it is reported by a Kubernetes API server");
  auto spec_node = object.Require("spec", "a Service spec with selector and ports");
  object.WarnUnknown();
  if (!spec_node) return;
  YamlFields spec(ctx, *spec_node, "spec");
  if (!spec.is_mapping()) return;
  if (auto type = spec.String("type")) {
    if (*type == "ClusterIP")
      s.type = ServiceType::kClusterIP;
    else if (*type == "LoadBalancer")
      s.type = ServiceType::kLoadBalancer;
    else if (*type == "NodePort") {
      s.type = ServiceType::kNodePort;
      ctx.Warning(*spec.Get("type"),
                  "spec.type: NodePort has no nodes to open ports on here: locally each port is "
                  "published on the host's 127.0.0.1 at its nodePort; on AWS it is reached as "
                  "a ClusterIP Service, through the shared internal load balancer",
                  "LoadBalancer to expose the Service outside");
    } else if (*type == "ExternalName")
      spec.Unsupported("type", "ExternalName Services point outside i2kit; use a DNS record");
    else
      ctx.Error(*spec.Get("type"), "spec.type: unknown type '" + *type + "'",
                "ClusterIP, NodePort or LoadBalancer");
  }
  if (auto selector =
          spec.Require("selector", "labels selecting the Deployments behind this Service")) {
    if (auto labels = ReadLabels(ctx, *selector, "spec.selector")) {
      s.selector = *labels;
      if (s.selector.empty()) ctx.Error(*selector, "spec.selector: is empty", "at least one label");
    }
  }
  if (auto ports = spec.Require("ports", "a list of {port, targetPort, protocol}"))
    ReadServicePorts(ctx, *ports, s);
  for (const char* key :
       {"clusterIP", "clusterIPs", "ipFamilies", "ipFamilyPolicy", "sessionAffinity",
        "sessionAffinityConfig", "externalTrafficPolicy", "internalTrafficPolicy",
        "allocateLoadBalancerNodePorts", "loadBalancerClass"}) {
    spec.Ignored(key, "the cloud's load balancer decides this");
  }
  for (const char* key : {"externalIPs", "loadBalancerIP", "loadBalancerSourceRanges",
                          "externalName", "publishNotReadyAddresses", "healthCheckNodePort"}) {
    spec.Unsupported(key, "i2kit cannot honour it yet");
  }
  spec.WarnUnknown();
  if (ctx.diagnostics->error_count() == errors_before) out.services.push_back(std::move(s));
}

}  // namespace

void ReadKubernetesObject(const YamlContext& ctx, const YAML::Node& doc, Manifest& out) {
  YamlFields object(ctx, doc, "");
  if (!object.is_mapping()) return;
  auto api_version = object.Require("apiVersion", "apps/v1 for a Deployment, v1 for a Service");
  auto kind = object.Require("kind", "Deployment or Service");
  if (!api_version || !kind) return;
  auto version = ReadString(ctx, *api_version, "apiVersion");
  auto kind_name = ReadString(ctx, *kind, "kind");
  if (!version || !kind_name) return;
  if (*kind_name == "Deployment") {
    if (*version != "apps/v1" && *version != "apps/v1beta2" && *version != "extensions/v1beta1") {
      ctx.Error(*api_version,
                "apiVersion: '" + *version + "' is not a Deployment API version i2kit reads",
                "apps/v1, apps/v1beta2 or extensions/v1beta1");
      return;
    }
    ReadDeployment(ctx, object, *version, out);
  } else if (*kind_name == "Service") {
    if (*version != "v1") {
      ctx.Error(*api_version, "apiVersion: '" + *version + "' is not the Service API version",
                "v1");
      return;
    }
    ReadService(ctx, object, out);
  } else if (*kind_name == "ConfigMap" || *kind_name == "Secret") {
    if (*version != "v1") {
      ctx.Error(*api_version,
                "apiVersion: '" + *version + "' is not the " + *kind_name + " API version", "v1");
      return;
    }
    ReadConfigObject(ctx, object, *kind_name == "Secret", out);
  } else if (*kind_name == "PersistentVolumeClaim") {
    if (*version != "v1") {
      ctx.Error(*api_version,
                "apiVersion: '" + *version + "' is not the PersistentVolumeClaim API version",
                "v1");
      return;
    }
    ReadVolumeClaimObject(ctx, object, out);
  } else if (*kind_name == "StatefulSet") {
    // Its one-replica form is what i2kit already runs another way; more replicas, each with a
    // disk and a name of its own, would need the ordinal identities nothing here gives.
    ctx.Error(*kind, "kind: StatefulSet is not read by i2kit yet",
              "a Deployment of replicas: 1 with a persistentVolumeClaim volume and its "
              "PersistentVolumeClaim, or the i2kit format's stateful: true with volumes:");
  } else if (*kind_name == "Ingress") {
    ctx.Error(*kind, std::string(kIngressWhy),
              "a Service of type LoadBalancer for each entry point (locally and on AWS a "
              "load balancer in front of the selected Pod VMs)");
  } else if (auto known =
                 std::find_if(std::begin(kKindsWithoutMeaning), std::end(kKindsWithoutMeaning),
                              [&](const KindWithoutMeaning& k) { return k.kind == *kind_name; });
             known != std::end(kKindsWithoutMeaning)) {
    WarnKindWithoutMeaning(ctx, *kind, *known, doc);
  } else {
    ctx.Error(*kind, "kind: " + *kind_name + " is not supported by i2kit",
              "Deployment or Service: each Pod is a VM kept alive by the cloud, with no "
              "controller for other kinds");
  }
}

}  // namespace i2kit
