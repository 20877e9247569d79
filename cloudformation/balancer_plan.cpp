#include "cloudformation/balancer_plan.h"

#include <algorithm>
#include <set>

#include "cloudformation/template_document.h"
#include "common/balancer_plan.h"

namespace i2kit::cfn {
namespace {

std::string PortText(const BalancedPort& port) {
  return std::string(ListenerProtocolName(port.protocol)) + ":" + std::to_string(port.port);
}

Result<ListenerProtocol> PassThroughProtocol(Protocol protocol, const std::string& where) {
  switch (protocol) {
    case Protocol::kTcp:
      return ListenerProtocol::kTcp;
    case Protocol::kUdp:
      return ListenerProtocol::kUdp;
    case Protocol::kSctp:
      break;
  }
  return Status::Error(where + ": no AWS load balancer forwards SCTP; use TCP or UDP");
}

// Application balancers speak only HTTP(S); anything else needs a network balancer, which then
// carries the HTTP ports too, as TCP (and https as TLS ending at the balancer).
BalancerKind KindFor(const std::vector<BalancedPort>& ports) {
  bool all_http = std::all_of(ports.begin(), ports.end(), [](const BalancedPort& p) {
    return p.protocol == ListenerProtocol::kHttp || p.protocol == ListenerProtocol::kHttps;
  });
  return all_http ? BalancerKind::kApplication : BalancerKind::kNetwork;
}

Status AddCertificates(BalancerPlan& plan, const StackOptions& options) {
  for (BalancedPort& port : plan.ports) {
    if (!IsTlsProtocol(port.protocol) || !port.certificate_arn.empty()) continue;
    if (options.certificate_arn.empty()) {
      return Status::Error(plan.owner + ", port " + PortText(port) +
                           ": a TLS listener needs a certificate; pass --certificate ARN, or "
                           "write the ARN after the port (" +
                           PortText(port) + ":PROTO:PORT:ARN)");
    }
    port.certificate_arn = options.certificate_arn;
  }
  return Status::Ok();
}

Result<BalancerPlan> DeploymentBalancer(const Deployment& d) {
  BalancerPlan plan;
  plan.name = d.name;
  plan.id_prefix = LogicalIdPrefix(d.name);
  plan.owner = "deployment " + d.name;
  plan.internet_facing = d.is_public;
  plan.deployments = {d.name};
  for (const Container& c : d.containers) {
    for (const ContainerPort& cp : c.ports) {
      BalancedPort port;
      port.target_port = cp.container_port;
      if (cp.listener) {
        port.protocol = cp.listener->protocol;
        port.port = cp.listener->port;
        port.target_protocol = cp.listener->instance_protocol;
        port.certificate_arn = cp.listener->certificate;
      } else {
        Result<ListenerProtocol> protocol = PassThroughProtocol(
            cp.protocol, plan.owner + ", port " + std::to_string(cp.container_port));
        if (!protocol.ok()) return protocol.status();
        port.protocol = port.target_protocol = *protocol;
        port.port = cp.container_port;
      }
      plan.ports.push_back(port);
    }
  }
  plan.kind = KindFor(plan.ports);
  return plan;
}

// A Service's listeners as the shared plan (common/balancer_plan.h) resolved them, which every
// selected Deployment must have: a target group registers all of their instances.
Result<BalancerPlan> ServiceBalancer(const Service& s, const ServicePlan& planned) {
  BalancerPlan plan;
  plan.name = s.name;
  plan.id_prefix = LogicalIdPrefix(s.name) + "Service";
  plan.owner = "service " + s.name;
  plan.internet_facing = s.type == ServiceType::kLoadBalancer;
  plan.shared_internal = !plan.internet_facing;
  plan.deployments = planned.deployments;
  for (size_t i = 0; i < planned.listeners.size(); ++i) {
    const ServiceListener& listener = planned.listeners[i];
    const ServicePort& sp = s.ports[i];
    std::string where = plan.owner + ", port " + std::to_string(sp.port);
    Result<ListenerProtocol> protocol = PassThroughProtocol(listener.protocol, where);
    if (!protocol.ok()) return protocol.status();
    if (!listener.missing.empty()) {
      return Status::Error(where + ": deployment " + listener.missing.front() +
                           " has no container port " +
                           (sp.target_port_name.empty() ? std::to_string(sp.target_port)
                                                        : "'" + sp.target_port_name + "'"));
    }
    plan.ports.push_back(
        BalancedPort{*protocol, listener.port, *protocol, listener.target_port, ""});
  }
  plan.kind = KindFor(plan.ports);
  return plan;
}

// The balancer-side protocol and port name a listener and its target group: protocol changes
// replace them anyway, and two protocols can share a port number (TCP and UDP 53).
std::string PortIdPart(const BalancedPort& port) {
  std::string protocol = LogicalIdPrefix(ListenerProtocolName(port.protocol));
  return protocol + std::to_string(port.port);
}

// A balancer listens once on a port number, whatever the protocol: TCP and UDP on one port
// would need a TCP_UDP listener, which i2kit does not generate.
Status CheckOneListenerPerPort(const BalancerPlan& plan) {
  std::set<int> ports;
  for (const BalancedPort& port : plan.ports) {
    if (!ports.insert(port.port).second) {
      return Status::Error(plan.owner + ", port " + PortText(port) +
                           ": the load balancer already listens on port " +
                           std::to_string(port.port) + "; give each port its own number");
    }
  }
  return Status::Ok();
}

// Puts every internal Service's listeners on a shared network balancer: the first, in manifest
// order, whose listener count and port numbers leave room for all of its ports, so that a
// Service added at the end never moves those before it.
Status ShareInternalBalancers(std::vector<BalancerPlan>& plans) {
  std::vector<std::set<int>> shared_ports;  // per shared balancer, the ports it listens on
  for (BalancerPlan& plan : plans) {
    plan.balancer_id_prefix = plan.id_prefix;
    if (!plan.shared_internal) continue;
    if (plan.ports.size() > kMaxListenersPerSharedBalancer) {
      return Status::Error(plan.owner + " has " + std::to_string(plan.ports.size()) +
                           " ports; a network load balancer takes at most " +
                           std::to_string(kMaxListenersPerSharedBalancer) + " listeners");
    }
    size_t n = 0;
    for (; n < shared_ports.size(); ++n) {
      bool fits = shared_ports[n].size() + plan.ports.size() <= kMaxListenersPerSharedBalancer;
      for (const BalancedPort& port : plan.ports) fits = fits && !shared_ports[n].count(port.port);
      if (fits) break;
    }
    if (n == shared_ports.size()) shared_ports.emplace_back();
    for (const BalancedPort& port : plan.ports) shared_ports[n].insert(port.port);
    plan.balancer_id_prefix = SharedBalancerIdPrefix(n + 1);
    // A network balancer carries HTTP as TCP and ends https as TLS, as for mixed ports.
    plan.kind = BalancerKind::kNetwork;
  }
  return Status::Ok();
}

bool HasPorts(const Deployment& d) {
  return std::any_of(d.containers.begin(), d.containers.end(),
                     [](const Container& c) { return !c.ports.empty(); });
}

}  // namespace

Result<std::vector<BalancerPlan>> PlanBalancers(const Manifest& manifest,
                                                const StackOptions& options) {
  std::set<std::string> selected_by_a_service;
  std::vector<BalancerPlan> plans;
  std::vector<BalancerPlan> service_plans;
  Result<std::vector<ServicePlan>> planned = PlanServices(manifest);
  if (!planned.ok()) return planned.status();
  for (size_t i = 0; i < manifest.services.size(); ++i) {
    const Service& s = manifest.services[i];
    const ServicePlan& service = (*planned)[i];
    if (service.deployments.empty()) {
      return Status::Error("service " + s.name + " selects no deployment of this manifest");
    }
    selected_by_a_service.insert(service.deployments.begin(), service.deployments.end());
    Result<BalancerPlan> plan = ServiceBalancer(s, service);
    if (!plan.ok()) return plan.status();
    service_plans.push_back(std::move(plan).value());
  }
  for (const Deployment& d : manifest.deployments) {
    if (!HasPorts(d)) continue;
    // A Kubernetes Deployment behind a Service is reached through the Service, as in
    // Kubernetes; an i2kit Deployment's listeners are its own.
    if (d.format == ManifestFormat::kKubernetes && selected_by_a_service.count(d.name)) continue;
    Result<BalancerPlan> plan = DeploymentBalancer(d);
    if (!plan.ok()) return plan.status();
    plans.push_back(std::move(plan).value());
    if (d.stateful) {
      // Its stable name: listeners on the shared internal balancer, as an internal Service's,
      // which follow whichever instance runs it (see balancer_plan.h).
      plans.back().internet_facing = false;
      plans.back().shared_internal = true;
    }
  }
  for (BalancerPlan& plan : service_plans) plans.push_back(std::move(plan));
  std::set<std::string> names;
  for (BalancerPlan& plan : plans) {
    Status certificates = AddCertificates(plan, options);
    if (!certificates.ok()) return certificates;
    Status ports = CheckOneListenerPerPort(plan);
    if (!ports.ok()) return ports;
    if (!names.insert(plan.name).second) {
      return Status::Error(plan.owner + ": another load balancer already has the name " +
                           plan.name + " (one DNS name each)");
    }
  }
  Status shared = ShareInternalBalancers(plans);
  if (!shared.ok()) return shared;
  return plans;
}

std::string SharedBalancerIdPrefix(size_t n) {
  return "SharedInternal" + (n > 1 ? std::to_string(n) : "");
}

std::vector<Balancer> Balancers(const std::vector<BalancerPlan>& plans) {
  std::vector<Balancer> balancers;
  for (const BalancerPlan& plan : plans) {
    auto same = std::find_if(balancers.begin(), balancers.end(), [&](const Balancer& b) {
      return b.id_prefix == plan.balancer_id_prefix;
    });
    if (same == balancers.end()) {
      std::string owner =
          plan.shared_internal ? "internal services " + plan.balancer_id_prefix : plan.owner;
      balancers.push_back(
          Balancer{plan.balancer_id_prefix, owner, plan.kind, plan.internet_facing, {}});
      same = balancers.end() - 1;
    }
    same->plans.push_back(&plan);
  }
  return balancers;
}

std::string LoadBalancerId(const Balancer& balancer) {
  return balancer.id_prefix + "LoadBalancer";
}

std::string LoadBalancerSecurityGroupId(const Balancer& balancer) {
  return balancer.id_prefix + "LoadBalancerSecurityGroup";
}

std::string LoadBalancerId(const BalancerPlan& plan) {
  return plan.balancer_id_prefix + "LoadBalancer";
}

std::string LoadBalancerSecurityGroupId(const BalancerPlan& plan) {
  return plan.balancer_id_prefix + "LoadBalancerSecurityGroup";
}

std::string ListenerId(const BalancerPlan& plan, const BalancedPort& port) {
  return plan.id_prefix + PortIdPart(port) + "Listener";
}

std::string TargetGroupId(const BalancerPlan& plan, const BalancedPort& port) {
  return plan.id_prefix + PortIdPart(port) + "TargetGroup";
}

bool IsTlsProtocol(ListenerProtocol protocol) {
  return protocol == ListenerProtocol::kHttps || protocol == ListenerProtocol::kSsl;
}

std::string ElbProtocolName(BalancerKind kind, ListenerProtocol protocol) {
  bool application = kind == BalancerKind::kApplication;
  switch (protocol) {
    case ListenerProtocol::kHttp:
      return application ? "HTTP" : "TCP";
    case ListenerProtocol::kHttps:
      return application ? "HTTPS" : "TLS";
    case ListenerProtocol::kTcp:
      return "TCP";
    case ListenerProtocol::kSsl:
      return "TLS";
    case ListenerProtocol::kUdp:
      return "UDP";
  }
  return "TCP";
}

}  // namespace i2kit::cfn
