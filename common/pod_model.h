// The one validated in-memory model of what a user asked for: Deployments (each a set of
// identical Pods, each Pod one VM) and Services (stable names and load-balanced ports over
// Deployments). Both manifest formats are read into it; everything downstream consumes it.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
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

struct EnvVar {
  std::string name;
  std::string value;
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

enum class ProbeAction { kHttpGet, kTcpSocket, kExec };

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

  int initial_delay_seconds = 0;
  int timeout_seconds = 1;
  int period_seconds = 10;
  int success_threshold = 1;
  int failure_threshold = 3;
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

enum class PullPolicy { kIfNotPresent, kAlways, kNever };

struct Container {
  std::string name;
  ImageReference image;
  PullPolicy pull_policy = PullPolicy::kIfNotPresent;
  std::vector<std::string> command;  // replaces the image's ENTRYPOINT when non-empty
  std::vector<std::string> args;     // replaces the image's CMD when non-empty
  std::string working_dir;           // empty = the image's
  std::vector<EnvVar> env;
  std::vector<ContainerPort> ports;
  Resources resources;
  std::optional<Probe> liveness_probe;
  std::optional<Probe> readiness_probe;
  std::optional<Probe> startup_probe;
  SecurityContext security_context;
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
  std::string name;  // a DNS-1123 label: it becomes host and DNS names
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
  std::vector<Container> containers;
  SourceLocation location;
};

enum class ServiceType { kClusterIP, kLoadBalancer };

struct ServicePort {
  std::string name;
  int port = 0;
  int target_port = 0;           // resolved number, or 0 when target_port_name is used
  std::string target_port_name;  // a named container port
  Protocol protocol = Protocol::kTcp;
};

struct Service {
  std::string name;
  ServiceType type = ServiceType::kClusterIP;
  std::map<std::string, std::string> labels;
  std::map<std::string, std::string> selector;
  std::vector<ServicePort> ports;
  SourceLocation location;
};

// Everything read from one or more manifest files.
struct Manifest {
  std::vector<Deployment> deployments;
  std::vector<Service> services;
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
