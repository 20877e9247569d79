#include "common/pod_model.h"

namespace i2kit {

const char* ProtocolName(Protocol p) {
  switch (p) {
    case Protocol::kTcp:
      return "TCP";
    case Protocol::kUdp:
      return "UDP";
    case Protocol::kSctp:
      return "SCTP";
  }
  return "?";
}

std::optional<Protocol> ProtocolNamed(std::string_view name) {
  for (Protocol p : {Protocol::kTcp, Protocol::kUdp, Protocol::kSctp}) {
    if (name == ProtocolName(p)) return p;
  }
  return std::nullopt;
}

const char* ListenerProtocolName(ListenerProtocol p) {
  switch (p) {
    case ListenerProtocol::kHttp:
      return "http";
    case ListenerProtocol::kHttps:
      return "https";
    case ListenerProtocol::kTcp:
      return "tcp";
    case ListenerProtocol::kSsl:
      return "ssl";
    case ListenerProtocol::kUdp:
      return "udp";
  }
  return "?";
}

const char* ProbeActionName(ProbeAction a) {
  switch (a) {
    case ProbeAction::kHttpGet:
      return "httpGet";
    case ProbeAction::kTcpSocket:
      return "tcpSocket";
    case ProbeAction::kExec:
      return "exec";
    case ProbeAction::kGrpc:
      return "grpc";
  }
  return "?";
}

const char* SeccompProfileTypeName(SeccompProfileType t) {
  switch (t) {
    case SeccompProfileType::kRuntimeDefault:
      return "RuntimeDefault";
    case SeccompProfileType::kUnconfined:
      return "Unconfined";
    case SeccompProfileType::kLocalhost:
      return "Localhost";
  }
  return "?";
}

const char* PullPolicyName(PullPolicy p) {
  switch (p) {
    case PullPolicy::kIfNotPresent:
      return "IfNotPresent";
    case PullPolicy::kAlways:
      return "Always";
    case PullPolicy::kNever:
      return "Never";
  }
  return "?";
}

const char* StrategyTypeName(StrategyType t) {
  return t == StrategyType::kRollingUpdate ? "RollingUpdate" : "Recreate";
}

const char* ServiceTypeName(ServiceType t) {
  switch (t) {
    case ServiceType::kClusterIP:
      return "ClusterIP";
    case ServiceType::kLoadBalancer:
      return "LoadBalancer";
    case ServiceType::kNodePort:
      return "NodePort";
  }
  return "?";
}

const char* ManifestFormatName(ManifestFormat f) {
  return f == ManifestFormat::kI2kit ? "i2kit" : "kubernetes";
}

const char* EnvSourceName(EnvSource s) {
  switch (s) {
    case EnvSource::kValue:
      return "value";
    case EnvSource::kConfigMapKey:
      return "configMapKeyRef";
    case EnvSource::kSecretKey:
      return "secretKeyRef";
    case EnvSource::kPodField:
      return "podField";
  }
  return "?";
}

const char* VolumeTypeName(VolumeType t) {
  switch (t) {
    case VolumeType::kEmptyDir:
      return "emptyDir";
    case VolumeType::kConfigMap:
      return "configMap";
    case VolumeType::kSecret:
      return "secret";
    case VolumeType::kDownwardApi:
      return "downwardAPI";
    case VolumeType::kPersistent:
      return "persistent";
  }
  return "?";
}

const char* HookActionName(HookAction a) {
  switch (a) {
    case HookAction::kExec:
      return "exec";
    case HookAction::kHttpGet:
      return "httpGet";
    case HookAction::kSleep:
      return "sleep";
  }
  return "?";
}

std::vector<const Volume*> PersistentVolumes(const Deployment& d) {
  std::vector<const Volume*> out;
  for (const Volume& v : d.volumes) {
    if (v.type == VolumeType::kPersistent) out.push_back(&v);
  }
  return out;
}

bool SelectorMatches(const std::map<std::string, std::string>& selector,
                     const std::map<std::string, std::string>& labels) {
  if (selector.empty()) return false;
  for (const auto& [key, value] : selector) {
    auto it = labels.find(key);
    if (it == labels.end() || it->second != value) return false;
  }
  return true;
}

namespace {
int ResolvePercent(const IntOrPercent& v, int replicas, bool round_up) {
  if (!v.is_percent) return v.value;
  long long scaled = static_cast<long long>(v.value) * replicas;
  return static_cast<int>(round_up ? (scaled + 99) / 100 : scaled / 100);
}
}  // namespace

int ResolveSurge(const IntOrPercent& v, int replicas) {
  return ResolvePercent(v, replicas, true);
}

int ResolveUnavailable(const IntOrPercent& v, int replicas) {
  return ResolvePercent(v, replicas, false);
}

RolloutCounts ResolveRollout(const DeploymentStrategy& strategy, int replicas) {
  RolloutCounts counts{ResolveSurge(strategy.max_surge, replicas),
                       ResolveUnavailable(strategy.max_unavailable, replicas)};
  if (counts.max_surge == 0 && counts.max_unavailable == 0) counts.max_unavailable = 1;
  return counts;
}

}  // namespace i2kit
