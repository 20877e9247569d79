// The one validated in-memory model of what a user asked for: Deployments (each a set of
// identical Pods, each Pod one VM) and Services (stable names and load-balanced ports over
// Deployments). Both manifest formats are read into it; everything downstream consumes it.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/diagnostics.h"
#include "common/image_reference.h"

namespace i2kit {

enum class ManifestFormat { kI2kit, kKubernetes };

// Transport protocol of a container or Service port.
enum class Protocol { kTcp, kUdp, kSctp };

// Load-balancer protocols of the i2kit short format (`LBPROTO:LBPORT:PROTO:PORT`).
enum class ListenerProtocol { kHttp, kHttps, kTcp, kSsl, kUdp };

// How a load balancer exposes a container port (i2kit short format only).
struct Listener {
  ListenerProtocol protocol = ListenerProtocol::kTcp;  // what clients speak to the balancer
  int port = 0;                                        // where the balancer listens
  ListenerProtocol instance_protocol = ListenerProtocol::kTcp;  // what the container speaks
  std::string certificate;  // TLS certificate ARN for https/ssl listeners; may be empty
};

struct ContainerPort {
  std::string name;  // IANA service name or empty
  int container_port = 0;
  Protocol protocol = Protocol::kTcp;
  std::optional<Listener> listener;
};

// A value a Pod knows about itself, resolved by the guest agent when the container starts:
// Kubernetes' fieldRef (field_path set) or resourceFieldRef (resource set).
struct PodField {
  // fieldRef: metadata.name, metadata.namespace, metadata.labels, metadata.labels['KEY'],
  // status.podIP (the reader refuses the rest).
  std::string field_path;
  // resourceFieldRef: limits.cpu, limits.memory, requests.cpu, requests.memory.
  std::string resource;
  std::string container;  // resourceFieldRef.containerName; empty = the container asking
  // resourceFieldRef.divisor in the resource's base unit: millicores for CPU, bytes otherwise.
  int64_t divisor = 1;
  bool operator==(const PodField&) const = default;
};

// Where an environment variable's value comes from (env[].value or env[].valueFrom).
enum class EnvSource { kValue, kConfigMapKey, kSecretKey, kPodField };

struct EnvVar {
  std::string name;
  std::string value;  // kValue (also an HTTP header's value)
  EnvSource source = EnvSource::kValue;
  // kConfigMapKey, kSecretKey: the object in the manifest, the key in it, and whether a
  // missing object or key leaves the variable unset instead of failing the container.
  std::string object_name;
  std::string key;
  bool optional = false;
  PodField field;  // kPodField
};

// A variable (or an HTTP header) with a literal value.
inline EnvVar LiteralEnvVar(std::string name, std::string value) {
  EnvVar var;
  var.name = std::move(name);
  var.value = std::move(value);
  return var;
}

// envFrom: every key of a ConfigMap or Secret becomes a variable, named prefix + key.
struct EnvFromSource {
  bool is_secret = false;
  std::string object_name;
  std::string prefix;
  bool optional = false;
};

// A ConfigMap or a Secret: keys to bytes (data, binaryData and stringData, decoded).
// ConfigMaps are configuration and are built into the Pod VM; Secrets never are: the agent
// receives them at boot (locally from the host, on AWS from Secrets Manager).
struct ConfigObject {
  std::string name;
  std::map<std::string, std::string> data;
  SourceLocation location;
};

// Kubernetes volumes that mean something in a Pod VM. Each lives as long as the Pod's VM,
// except kPersistent: a disk that outlives every VM of the Pod (a PersistentVolumeClaim, a
// StatefulSet's volumeClaimTemplate, or an i2kit `volumes:` entry), ext4, attached to the one
// VM that runs the Pod — locally an image file in the state dir, on AWS an EBS volume.
enum class VolumeType { kEmptyDir, kConfigMap, kSecret, kDownwardApi, kPersistent };

// One file of a configMap, secret or downwardAPI volume.
struct VolumeItem {
  std::string path;         // relative to the mount point; no ".." component
  std::optional<int> mode;  // permission bits; empty = the volume's default_mode
  std::string key;          // configMap and secret: the key whose value the file holds
  PodField field;           // downwardAPI: what the file holds
};

struct Volume {
  std::string name;
  VolumeType type = VolumeType::kEmptyDir;
  // emptyDir: a tmpfs when `medium: Memory`, else on the VM's scratch area; empty at each
  // Pod start, shared by the containers that mount it, never larger than size_limit_bytes.
  bool in_memory = false;
  std::optional<int64_t> size_limit_bytes;
  // configMap and secret: the object, and whether its absence is allowed (an empty volume).
  std::string object_name;
  bool optional = false;
  // configMap, secret and downwardAPI: the files' permission bits and the files; for
  // configMap and secret, no items means one file per key, named as the key.
  int default_mode = 0644;
  std::vector<VolumeItem> items;
  // persistent: the disk's size and the claim it was asked by (a PersistentVolumeClaim's name;
  // the volume's own name for the i2kit format), which names the disk outside the Pod.
  int64_t size_bytes = 0;
  std::string claim_name;
};

struct VolumeMount {
  std::string name;  // a Volume of the Pod
  std::string mount_path;
  bool read_only = false;
  std::string sub_path;  // mount this path inside the volume instead of its root
};

// Resource quantities, normalized: CPU in millicores, memory in bytes.
struct ResourceList {
  std::optional<int64_t> cpu_millis;
  std::optional<int64_t> memory_bytes;
};

struct Resources {
  ResourceList requests;
  ResourceList limits;
};

enum class ProbeAction { kHttpGet, kTcpSocket, kExec, kGrpc };

// A Kubernetes probe with every timing field defaulted as Kubernetes does.
struct Probe {
  ProbeAction action = ProbeAction::kTcpSocket;
  // httpGet and tcpSocket: the port, by number; a named port is resolved while reading.
  int port = 0;
  std::string host;  // empty = the Pod's own address
  // httpGet only.
  std::string path = "/";
  std::string scheme = "HTTP";  // HTTP or HTTPS
  std::vector<EnvVar> http_headers;
  // exec only.
  std::vector<std::string> command;
  // grpc only (with `port`): the service name sent in grpc.health.v1.HealthCheckRequest.
  std::string grpc_service;

  int initial_delay_seconds = 0;
  int timeout_seconds = 1;
  int period_seconds = 10;
  int success_threshold = 1;
  int failure_threshold = 3;
};

// A container lifecycle hook (postStart, preStop).
enum class HookAction { kExec, kHttpGet, kSleep };

struct LifecycleHook {
  HookAction action = HookAction::kExec;
  std::vector<std::string> command;  // kExec
  // kHttpGet: as a Probe's httpGet.
  int port = 0;
  std::string host;
  std::string path = "/";
  std::string scheme = "HTTP";
  std::vector<EnvVar> http_headers;
  int sleep_seconds = 0;  // kSleep
};

struct Lifecycle {
  std::optional<LifecycleHook> post_start;  // after the container starts
  std::optional<LifecycleHook> pre_stop;    // before SIGTERM, within the grace period
};

enum class SeccompProfileType { kRuntimeDefault, kUnconfined, kLocalhost };

struct SeccompProfile {
  SeccompProfileType type = SeccompProfileType::kRuntimeDefault;
  std::string localhost_profile;  // kLocalhost only: a path relative to the profile root
};

struct SecurityContext {
  std::optional<int64_t> run_as_user;
  std::optional<int64_t> run_as_group;
  std::optional<bool> run_as_non_root;
  bool read_only_root_filesystem = false;
  // Unset means "no privilege escalation" (no_new_privs) in i2kit.
  std::optional<bool> allow_privilege_escalation;
  // Capability names normalized to upper case without the CAP_ prefix; "ALL" is allowed.
  std::vector<std::string> capabilities_add;
  std::vector<std::string> capabilities_drop;
  SeccompProfile seccomp_profile;  // RuntimeDefault unless the manifest says otherwise
};

// The Pod-level securityContext fields that are not defaults for each container's.
struct PodSecurityContext {
  std::optional<int64_t> fs_group;  // volumes the agent creates belong to it; processes get it
  std::vector<int64_t> supplemental_groups;  // every container process gets these groups
  // fsGroupChangePolicy: OnRootMismatch changes ownership only when the volume's root does
  // not already match (Always, the default, changes it every start).
  bool fs_group_on_root_mismatch = false;
};

enum class PullPolicy { kIfNotPresent, kAlways, kNever };

struct Container {
  std::string name;
  ImageReference image;
  PullPolicy pull_policy = PullPolicy::kIfNotPresent;
  std::vector<std::string> command;     // replaces the image's ENTRYPOINT when non-empty
  std::vector<std::string> args;        // replaces the image's CMD when non-empty
  std::string working_dir;              // empty = the image's
  std::vector<EnvFromSource> env_from;  // applied first, in order; `env` then overrides
  std::vector<EnvVar> env;
  std::vector<ContainerPort> ports;
  std::vector<VolumeMount> volume_mounts;
  Resources resources;
  std::optional<Probe> liveness_probe;
  std::optional<Probe> readiness_probe;
  std::optional<Probe> startup_probe;
  SecurityContext security_context;
  Lifecycle lifecycle;
  // Init containers only: restartPolicy: Always makes it a sidecar, started before the app
  // containers and kept running beside them instead of run to completion.
  bool restart_always = false;
  SourceLocation location;
};

// An absolute count or a percentage of the replicas (maxSurge, maxUnavailable).
struct IntOrPercent {
  int value = 0;
  bool is_percent = false;
  bool operator==(const IntOrPercent&) const = default;
};

enum class StrategyType { kRollingUpdate, kRecreate };

struct DeploymentStrategy {
  StrategyType type = StrategyType::kRollingUpdate;
  IntOrPercent max_surge{25, true};
  IntOrPercent max_unavailable{25, true};
};

struct Deployment {
  std::string name;                        // a DNS-1123 label: it becomes host and DNS names
  std::string namespace_name = "default";  // metadata.namespace, for fieldRef; names are global
  ManifestFormat format = ManifestFormat::kKubernetes;
  std::map<std::string, std::string> labels;    // the Pod template's labels
  std::map<std::string, std::string> selector;  // matchLabels
  int replicas = 1;
  DeploymentStrategy strategy;
  int min_ready_seconds = 0;
  int progress_deadline_seconds = 600;
  int termination_grace_period_seconds = 30;
  bool is_public = false;     // reachable from outside (internet-facing load balancer)
  bool stateful = false;      // one instance, no load balancer (i2kit short format)
  std::string instance_type;  // empty = derived from resources later
  PodSecurityContext pod_security;
  std::vector<Volume> volumes;
  // Run in order, each to completion, before `containers` start (sidecars: see Container).
  std::vector<Container> init_containers;
  std::vector<Container> containers;
  SourceLocation location;
};

// NodePort has no nodes to open ports on here: locally it is published on the host's
// loopback at its nodePort, on AWS it gets the shared internal balancer as ClusterIP does.
enum class ServiceType { kClusterIP, kLoadBalancer, kNodePort };

struct ServicePort {
  std::string name;
  int port = 0;
  int target_port = 0;           // resolved number, or 0 when target_port_name is used
  std::string target_port_name;  // a named container port
  Protocol protocol = Protocol::kTcp;
  int node_port = 0;  // NodePort Services: the port given, or 0 when none was
};

struct Service {
  std::string name;
  ServiceType type = ServiceType::kClusterIP;
  std::map<std::string, std::string> labels;
  std::map<std::string, std::string> selector;
  std::vector<ServicePort> ports;
  SourceLocation location;
};

// A Kubernetes PersistentVolumeClaim: the disk a Deployment's persistentVolumeClaim volume
// names, read as ReadWriteOnce (one VM at a time) whatever it says it needs.
struct VolumeClaim {
  std::string name;
  int64_t size_bytes = 0;  // spec.resources.requests.storage
  SourceLocation location;
};

// Everything read from one or more manifest files.
struct Manifest {
  std::vector<Deployment> deployments;
  std::vector<Service> services;
  std::vector<ConfigObject> config_maps;
  std::vector<ConfigObject> secrets;  // held in memory only: never written into a Pod VM
  std::vector<VolumeClaim> claims;
};

// Names for enums, as they appear in manifests and in JSON output.
const char* ProtocolName(Protocol p);
const char* ListenerProtocolName(ListenerProtocol p);
const char* ProbeActionName(ProbeAction a);
const char* SeccompProfileTypeName(SeccompProfileType t);
const char* PullPolicyName(PullPolicy p);
const char* StrategyTypeName(StrategyType t);
const char* ServiceTypeName(ServiceType t);
const char* ManifestFormatName(ManifestFormat f);
const char* EnvSourceName(EnvSource s);
const char* VolumeTypeName(VolumeType t);
// The protocol ProtocolName gives `name`, if any: what vm.json and the Service plan read back.
std::optional<Protocol> ProtocolNamed(std::string_view name);
const char* HookActionName(HookAction a);

// The deployment's persistent volumes, in the order of its volumes: the order in which they
// are attached to its VM (pod_vm.h kVolumeSerialPrefix).
std::vector<const Volume*> PersistentVolumes(const Deployment& d);

// True when every selector entry is among `labels` (an empty selector matches nothing).
bool SelectorMatches(const std::map<std::string, std::string>& selector,
                     const std::map<std::string, std::string>& labels);

// Resolves maxSurge / maxUnavailable against `replicas` with Kubernetes' rounding
// (surge rounds up, unavailable rounds down).
int ResolveSurge(const IntOrPercent& v, int replicas);
int ResolveUnavailable(const IntOrPercent& v, int replicas);

// Both, with Kubernetes' fencepost: when both round to 0 (say 25% of 1 with maxSurge 0), one
// replica may be unavailable, else a rollout could never move.
struct RolloutCounts {
  int max_surge = 0;
  int max_unavailable = 0;
};
RolloutCounts ResolveRollout(const DeploymentStrategy& strategy, int replicas);

}  // namespace i2kit
