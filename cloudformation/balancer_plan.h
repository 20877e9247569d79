// Which load balancers a manifest needs and what each forwards, decided before any resource
// is written. A Deployment with ports gets its own balancer (its i2kit listeners as written,
// or its Kubernetes container ports passed through as TCP/UDP) unless it is stateful or a
// Kubernetes Service selects it; every Kubernetes Service gets one over the Deployments its
// selector matches.
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
};

// The balancers `manifest` needs, in manifest order (Deployments, then Services); an error
// names the port that cannot be balanced (no certificate, SCTP, target ports that differ).
Result<std::vector<BalancerPlan>> PlanBalancers(const Manifest& manifest,
                                                const StackOptions& options);

// Logical IDs of a balancer's resources.
std::string LoadBalancerId(const BalancerPlan& plan);
std::string LoadBalancerSecurityGroupId(const BalancerPlan& plan);
std::string ListenerId(const BalancerPlan& plan, const BalancedPort& port);
std::string TargetGroupId(const BalancerPlan& plan, const BalancedPort& port);

// True for https and ssl: listeners that end TLS and need a certificate.
bool IsTlsProtocol(ListenerProtocol protocol);

// "HTTPS", "TLS", ...: the protocol names of Elastic Load Balancing v2 for `kind`.
std::string ElbProtocolName(BalancerKind kind, ListenerProtocol protocol);

}  // namespace i2kit::cfn
