// What a path on the command line of `run`, `down` and `push` stands for: an artifacts
// directory (the one holding vm.json), vm.json itself, or a manifest whose deployments `build`
// wrote to its default output, ./i2kit-out/<deployment>.
#pragma once

#include <string>
#include <vector>

#include "common/balancer_plan.h"
#include "common/pod_model.h"
#include "common/status.h"
#include "local-cluster/controller_files.h"
#include "local-vm/port_mapping.h"

namespace i2kit {

// Where `i2kit-host build` writes by default, relative to the working directory.
inline constexpr const char* kDefaultOutputDir = "i2kit-out";

// The absolute directory holding vm.json when `path` is an artifacts directory or its vm.json;
// empty otherwise (a manifest).
std::string ArtifactsDirOf(const std::string& path);

// The absolute artifacts directories to boot for `path`: itself, or for a manifest each
// deployment's default output; fails telling to run `i2kit-host build FILE` first when one is
// missing.
Result<std::vector<std::string>> ArtifactsDirsFor(const std::string& path);

// The Service plan (common/balancer_plan.h) `build` wrote into vm.json, for what `path` names:
// for a manifest, its Services (from its deployments' build output: the manifest itself is not
// read again); for an artifacts directory or vm.json, those that select its deployment.
Result<std::vector<ServicePlan>> ServicePlansOf(const std::string& path);

// The Services of a plan as the local service directory records them: each port that leads
// to a container port.
std::vector<LocalService> LocalServicesOfPlan(const std::vector<ServicePlan>& plans);
// The same for what `path` names (ServicePlansOf).
Result<std::vector<LocalService>> LocalServicesOf(const std::string& path);

// A NodePort Service's port as it is run here: there are no nodes, so it is published on the
// host's 127.0.0.1 at its nodePort and balanced across the replicas of the one Deployment it
// selects, like a port of `run -p`.
struct NodePortPublish {
  std::string service;
  std::string deployment;
  PublishedPort port;  // host_port = nodePort, container_port = the resolved target port
};

// The NodePort Services' ports of `plans` that give a nodePort (without one: none, and
// `validate` says so). Fails naming the Service when its selector matches no Deployment or
// several (one local balancer serves one Deployment), or its target port cannot be resolved.
Result<std::vector<NodePortPublish>> NodePortsOfPlan(const std::vector<ServicePlan>& plans);
// The same for a manifest (planned here) and for what `path` names (ServicePlansOf).
Result<std::vector<NodePortPublish>> NodePortsOfManifest(const Manifest& manifest);
Result<std::vector<NodePortPublish>> NodePortsOf(const std::string& path);

// The deployments `path` names: vm.json's, or every deployment of a manifest.
Result<std::vector<std::string>> DeploymentsOf(const std::string& path);

}  // namespace i2kit
