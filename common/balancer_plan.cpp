#include "common/balancer_plan.h"

#include <optional>

namespace i2kit {
namespace {

using Json = nlohmann::ordered_json;

// The container port `port` reaches in `d`, by name or number, or 0 when `d` has none.
int TargetPortIn(const Deployment& d, const ServicePort& port) {
  for (const Container& c : d.containers) {
    for (const ContainerPort& cp : c.ports) {
      bool named = !port.target_port_name.empty();
      if (named ? cp.name == port.target_port_name : cp.container_port == port.target_port) {
        return cp.container_port;
      }
    }
  }
  return 0;
}

std::string TargetText(const ServicePort& port) {
  return port.target_port_name.empty() ? std::to_string(port.target_port)
                                       : "'" + port.target_port_name + "'";
}

Result<ServiceListener> PlanListener(const Service& s, size_t index,
                                     const std::vector<const Deployment*>& selected) {
  const ServicePort& sp = s.ports[index];
  ServiceListener listener;
  listener.port = sp.port;
  listener.protocol = sp.protocol;
  listener.node_port = sp.node_port;
  std::string first;  // the Deployment that decided target_port
  for (const Deployment* d : selected) {
    int target = TargetPortIn(*d, sp);
    if (target == 0) {
      listener.missing.push_back(d->name);
      continue;
    }
    if (listener.target_port != 0 && listener.target_port != target) {
      return Status::Error(s.location.file + ":" + std::to_string(s.location.line) + ": service " +
                           s.name + ", port " + std::to_string(sp.port) + ": spec.ports[" +
                           std::to_string(index) + "].targetPort " + TargetText(sp) + " is " +
                           std::to_string(listener.target_port) + " in deployment " + first +
                           " but " + std::to_string(target) + " in deployment " + d->name +
                           "; a load balancer's target group has one port");
    }
    if (listener.target_port == 0) first = d->name;
    listener.target_port = target;
  }
  // Found nowhere, a numbered targetPort still says where the port leads.
  if (listener.target_port == 0) listener.target_port = sp.target_port;
  return listener;
}

// The service type ServiceTypeName gives `json`, into `out`; false if none.
bool ServiceTypeNamed(const nlohmann::json& json, ServiceType& out) {
  if (!json.is_string()) return false;
  for (ServiceType t :
       {ServiceType::kClusterIP, ServiceType::kLoadBalancer, ServiceType::kNodePort}) {
    if (json.get<std::string>() == ServiceTypeName(t)) {
      out = t;
      return true;
    }
  }
  return false;
}

}  // namespace

Result<std::vector<ServicePlan>> PlanServices(const Manifest& manifest) {
  std::vector<ServicePlan> plans;
  for (const Service& s : manifest.services) {
    ServicePlan plan{s.name, s.type, s.selector, {}, {}};
    std::vector<const Deployment*> selected;
    for (const Deployment& d : manifest.deployments) {
      if (!SelectorMatches(s.selector, d.labels)) continue;
      selected.push_back(&d);
      plan.deployments.push_back(d.name);
    }
    for (size_t i = 0; i < s.ports.size(); ++i) {
      Result<ServiceListener> listener = PlanListener(s, i, selected);
      if (!listener.ok()) return listener.status();
      plan.listeners.push_back(std::move(listener).value());
    }
    plans.push_back(std::move(plan));
  }
  return plans;
}

Json ServicePlansToJson(const std::vector<ServicePlan>& plans) {
  Json out = Json::array();
  for (const ServicePlan& plan : plans) {
    Json listeners = Json::array();
    for (const ServiceListener& l : plan.listeners) {
      listeners.push_back({{"port", l.port},
                           {"protocol", ProtocolName(l.protocol)},
                           {"targetPort", l.target_port},
                           {"nodePort", l.node_port},
                           {"missing", l.missing}});
    }
    out.push_back({{"name", plan.name},
                   {"type", ServiceTypeName(plan.type)},
                   {"selector", plan.selector},
                   {"deployments", plan.deployments},
                   {"listeners", listeners}});
  }
  return out;
}

Result<std::vector<ServicePlan>> ServicePlansFromJson(const nlohmann::json& json,
                                                      std::string_view where) {
  std::vector<ServicePlan> plans;
  if (!json.is_array()) return Status::Error(std::string(where) + ": services: not a list");
  for (size_t i = 0; i < json.size(); ++i) {
    std::string field = std::string(where) + ": services[" + std::to_string(i) + "]";
    try {
      const nlohmann::json& s = json[i];
      ServicePlan plan;
      plan.name = s.at("name").get<std::string>();
      if (!ServiceTypeNamed(s.at("type"), plan.type)) {
        return Status::Error(field + ".type: not ClusterIP, LoadBalancer or NodePort");
      }
      plan.selector = s.at("selector").get<std::map<std::string, std::string>>();
      plan.deployments = s.at("deployments").get<std::vector<std::string>>();
      const nlohmann::json& listeners = s.at("listeners");
      for (size_t j = 0; j < listeners.size(); ++j) {
        const nlohmann::json& l = listeners.at(j);
        ServiceListener listener;
        listener.port = l.at("port").get<int>();
        std::optional<Protocol> protocol = ProtocolNamed(l.at("protocol").get<std::string>());
        if (!protocol) {
          return Status::Error(field + ".listeners[" + std::to_string(j) +
                               "].protocol: not TCP, UDP or SCTP");
        }
        listener.protocol = *protocol;
        listener.target_port = l.at("targetPort").get<int>();
        listener.node_port = l.at("nodePort").get<int>();
        listener.missing = l.at("missing").get<std::vector<std::string>>();
        plan.listeners.push_back(std::move(listener));
      }
      plans.push_back(std::move(plan));
    } catch (const nlohmann::json::exception& e) {
      return Status::Error(field + ": " + e.what());
    }
  }
  return plans;
}

}  // namespace i2kit
