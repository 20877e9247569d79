// The guest agent from start to end: prepares the VM when it is PID 1, reads the Pod spec,
// mounts each container's root and writes its OCI bundle, supervises the Pod until a shutdown
// request, then stops the containers and unmounts their roots.
#pragma once

#include <string>

#include "common/pod_vm.h"
#include "common/status.h"

namespace i2kit {

struct AgentOptions {
  bool pid1 = false;
  std::string pod_spec = pod_vm::kPodSpecPath;
  std::string run_dir = "/run/i2kit";  // bundles, container roots, runc state
  std::string runc = "/usr/bin/runc";
  int health_port = pod_vm::kAgentPort;
};

// Returns when the Pod has stopped; an error says what could not be set up.
Status RunAgent(const AgentOptions& options);

}  // namespace i2kit
