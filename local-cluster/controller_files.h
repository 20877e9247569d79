// The files a deployment's controller (deployment_controller.h) keeps in the state dir, and
// the status it publishes there for `ps`:
// ROOT/_controllers/<deployment>.{lock,sock,status.json,log}.
#pragma once

#include <chrono>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "common/service_directory.h"
#include "common/status.h"
#include "local-vm/state_dir.h"

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
  std::map<std::string, std::string> labels;  // the Pod template's, for Service selectors
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
// Waits up to `timeout` for `deployment`'s controller to end. One told to stop answers first and
// then removes its files on the way out: whoever expects them gone waits for this.
Status WaitForControllerExit(const StateDir& state, const std::string& deployment,
                             std::chrono::milliseconds timeout);

// A Kubernetes Service run locally (`run FILE` records the manifest's Services): its name
// resolves to the deployments its selector matches. ROOT/_services/<name>.json.
struct LocalService {
  std::string name;
  std::map<std::string, std::string> selector;
  struct Port {
    int port = 0;
    int target_port = 0;
  };
  std::vector<Port> ports;
};
Status WriteLocalService(const StateDir& state, const LocalService& service);
void RemoveLocalService(const StateDir& state, const std::string& name);

// The service directory of this user's local deployments: one entry per deployment whose
// controller runs, with its balancers' ports (what its Pods' containers connect to by name),
// and one per recorded Service whose selector matches some of them: each Service port leads to
// the balancers of every matching deployment that has its target port (the first
// kMaxDirectoryBackends by name), and each connection picks one of them at random.
ServiceDirectory LocalServiceDirectory(const StateDir& state);

}  // namespace i2kit
