// The files a deployment's controller (deployment_controller.h) keeps in the state dir, and
// the status it publishes there for `ps`: ROOT/_controllers/<deployment>.{lock,sock,status.json,log}.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/service_directory.h"
#include "common/status.h"
#include "host-cli/state_dir.h"

namespace i2kit {

// What a controller sees, rewritten whenever it changes.
struct ControllerStatus {
  struct Port {
    int container_port = 0;
    int host_port = 0;  // the balancer's port on 127.0.0.1
    bool published = false;
  };
  struct Replica {
    int replica = 0;
    std::string state;  // booting, ready, unhealthy, draining, stopping
    bool current = false;
  };
  std::string deployment;
  int pid = 0;
  int replicas = 0;  // desired
  std::string image_digest;
  std::string operation;  // "steady", "rolling out", "stopping"
  int replacements = 0;   // replicas replaced because they died, hung or stayed unhealthy
  std::vector<Port> ports;
  std::vector<Replica> members;
};
std::string ControllerStatusToJson(const ControllerStatus& status);
Result<ControllerStatus> ControllerStatusFromJson(std::string_view text);

// The controller's files in the state dir.
std::string ControllerLockPath(const StateDir& state, const std::string& deployment);
std::string ControllerSocketPath(const StateDir& state, const std::string& deployment);
std::string ControllerStatusPath(const StateDir& state, const std::string& deployment);
std::string ControllerLogPath(const StateDir& state, const std::string& deployment);
// Whether a controller runs `deployment` now (it holds its lock).
bool ControllerRuns(const StateDir& state, const std::string& deployment);

// The service directory of this user's local deployments: one entry per deployment whose
// controller runs, with its balancers' ports (what its Pods' containers connect to by name).
ServiceDirectory LocalServiceDirectory(const StateDir& state);

}  // namespace i2kit
