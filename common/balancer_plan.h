// What each Kubernetes Service of a manifest balances, decided once from the manifest and used
// by both worlds: the CloudFormation template (cloudformation/balancer_plan.h) puts a listener
// and a target group on each, and the local controller (run) publishes the NodePorts and
// records the Services in the local service directory. `build` writes the plan into every
// Deployment's vm.json ("services", the whole manifest's plan in manifest order), so `run`
// reads it from the build output and never reads the manifest again.
//
// Pure: no I/O. Errors name the Service's file and line and the field at fault.
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "common/pod_model.h"
#include "common/status.h"

namespace i2kit {

// One Service port: where the Service listens and the container port behind it.
struct ServiceListener {
  int port = 0;
  Protocol protocol = Protocol::kTcp;
  // The container port every selected Deployment that has it agrees on (a balancer's target
  // group has one port); when none has it, the targetPort's number, or 0 for a name.
  int target_port = 0;
  int node_port = 0;  // NodePort Services: the port given, or 0
  // Selected Deployments without that container port: AWS refuses them, locally they get no
  // traffic on this port (validate warns).
  std::vector<std::string> missing;

  bool operator==(const ServiceListener&) const = default;
};

struct ServicePlan {
  std::string name;
  ServiceType type = ServiceType::kClusterIP;
  std::map<std::string, std::string> selector;
  std::vector<std::string> deployments;  // those of the manifest its selector matches
  std::vector<ServiceListener> listeners;

  bool operator==(const ServicePlan&) const = default;
};

// The plan of every Service of `manifest`, in manifest order. Fails when the selected
// Deployments resolve a Service port's targetPort to different container ports.
Result<std::vector<ServicePlan>> PlanServices(const Manifest& manifest);

// The plan as vm.json holds it, and back; errors name `where` (the file) and the field.
nlohmann::ordered_json ServicePlansToJson(const std::vector<ServicePlan>& plans);
Result<std::vector<ServicePlan>> ServicePlansFromJson(const nlohmann::json& json,
                                                      std::string_view where);

}  // namespace i2kit
