// Which load balancers a manifest needs and what each forwards, decided before any resource
// is written. A Deployment with ports gets its own balancer (its i2kit listeners as written,
// or its Kubernetes container ports passed through as TCP/UDP) unless a Kubernetes Service
// selects it; every Kubernetes Service gets listeners over the Deployments its selector
// matches: an internet-facing (LoadBalancer) Service on a balancer of its own, an internal
// (ClusterIP) one on the stack's shared internal network balancer. A balancer is billed by the
// hour whether used or not (about $16 a month in us-east-1), so an app of a dozen internal
// Services pays for one, not a dozen.
//
// A stateful Deployment (a database) is reached by its name as an internal Service is: its
// ports are listeners on the shared internal balancer, never internet-facing, and NAME.ZONE
// (with --domain) is an alias of that balancer. Chosen over a Route 53 record the instance
// would rewrite at boot because the balancer's target group follows the replacement instance
// with no code and no permission on the instance (a record needs route53 write access for the
// instance role and a hosted zone, and a stale record points at a dead address until the new
// instance rewrites it, under the record's TTL); the balancer also health-checks the Pod's
// /readyz. Its cost: nothing more when the stack already has internal Services, else one
// network balancer (about $16 a month plus its capacity units, host-cli/price_table.cpp).
#pragma once

#include <string>
#include <vector>

#include "cloudformation/stack_template.h"

namespace i2kit::cfn {

// One listener and the target group behind it.
struct BalancedPort {
  ListenerProtocol protocol = ListenerProtocol::kTcp;  // what clients speak to the balancer
  int port = 0;
  ListenerProtocol target_protocol = ListenerProtocol::kTcp;  // what the instance speaks
  int target_port = 0;
  std::string certificate_arn;  // https/ssl only: never empty there
};

enum class BalancerKind { kApplication, kNetwork };

struct BalancerPlan {
  std::string name;       // the Deployment's or Service's name: NAME.DOMAIN points here
  std::string id_prefix;  // logical IDs of its resources start with this
  std::string owner;      // "deployment web", "service web-public", for messages
  BalancerKind kind = BalancerKind::kNetwork;
  bool internet_facing = false;
  std::vector<BalancedPort> ports;
  std::vector<std::string> deployments;  // whose Auto Scaling groups register with it
  bool shared_internal = false;          // an internal Service's: on a shared network balancer
  // The load balancer resource its listeners are on: its own (id_prefix) or a shared one.
  std::string balancer_id_prefix;
};

// An NLB takes at most 50 listeners (Elastic Load Balancing quota "Listeners per Network Load
// Balancer"); internal Services past that, or whose port another Service on it already
// listens on, go to a second shared balancer, SharedInternal2, and so on.
inline constexpr size_t kMaxListenersPerSharedBalancer = 50;

// The logical ID prefix of the stack's n-th (from 1) shared internal balancer.
std::string SharedBalancerIdPrefix(size_t n);

// One load balancer resource and the plans whose listeners it carries: one plan for a balancer
// of its own, the internal Services' for a shared one.
struct Balancer {
  std::string id_prefix;
  std::string owner;  // for messages and descriptions
  BalancerKind kind = BalancerKind::kNetwork;
  bool internet_facing = false;
  std::vector<const BalancerPlan*> plans;  // borrowed from the vector Balancers() was given
};

// The load balancer resources `plans` need, in the order their first plan comes.
std::vector<Balancer> Balancers(const std::vector<BalancerPlan>& plans);

// The balancers `manifest` needs, in manifest order (Deployments, then Services); an error
// names the port that cannot be balanced (no certificate, SCTP, target ports that differ).
Result<std::vector<BalancerPlan>> PlanBalancers(const Manifest& manifest,
                                                const StackOptions& options);

// Logical IDs of a balancer's resources; those of a plan are its balancer's (shared or not).
std::string LoadBalancerId(const BalancerPlan& plan);
std::string LoadBalancerSecurityGroupId(const BalancerPlan& plan);
std::string LoadBalancerId(const Balancer& balancer);
std::string LoadBalancerSecurityGroupId(const Balancer& balancer);
std::string ListenerId(const BalancerPlan& plan, const BalancedPort& port);
std::string TargetGroupId(const BalancerPlan& plan, const BalancedPort& port);

// True for https and ssl: listeners that end TLS and need a certificate.
bool IsTlsProtocol(ListenerProtocol protocol);

// "HTTPS", "TLS", ...: the protocol names of Elastic Load Balancing v2 for `kind`.
std::string ElbProtocolName(BalancerKind kind, ListenerProtocol protocol);

}  // namespace i2kit::cfn
