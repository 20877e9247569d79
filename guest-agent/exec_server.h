// The agent's exec server: `i2kit-host exec` runs a command in a running container through it.
// It is the agent binary run again as an auxiliary process (`i2kit-agent exec-server …`), so a
// session never stalls supervision; it listens on pod_vm.h kExecPort, and each connection is
// a session process of its own. A session reads the request (common/exec_frames.h), checks its
// key against the replica's exec key — which the agent reads from the local metadata service,
// where only the host's replica state can have put it — and runs `runc exec` with nothing but
// the command, the terminal flag and TERM: runc then takes the user, capabilities, seccomp
// filter, no_new_privs, cgroup and namespaces from the container's own config, so the command
// never holds more privilege than the container. Containers cannot reach the port (the cgroup
// filter of container_network_filter.h blocks it), nor the metadata service.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "common/exec_frames.h"
#include "common/status.h"
#include "guest-agent/supervisor.h"

namespace i2kit {

struct ExecServerOptions {
  int port = 0;
  std::string runc;       // runc's path
  std::string runc_root;  // runc's --root, where the agent's containers are
  // The replica's exec key, asked each session (the metadata service answers it locally; it
  // fails where there is none, and then every request is refused).
  std::function<Result<std::string>()> key;
};

// Whether two keys are equal, in time that does not depend on where they differ.
bool ExecKeysMatch(std::string_view given, std::string_view expected);

// The argv that runs `request` in its container: `runc --root ROOT exec [-t] [--env E]… --
// CONTAINER COMMAND…`. Nothing of the process's identity or privileges is passed: runc takes
// them from the container's config.json. Fails on a container name that is not a DNS label.
Result<std::vector<std::string>> RuncExecArgv(const std::string& runc, const std::string& root,
                                              const ExecRequest& request);

// Serves on 0.0.0.0:`port` until killed; fails only when it cannot listen.
Status RunExecServer(const ExecServerOptions& options);

// The exec server as an auxiliary process of the supervisor: this binary (/proc/self/exe) run
// with `exec-server`, its messages on the agent's stderr (the console).
AuxiliaryProcess ExecServerProcess(const std::string& runc, const std::string& runc_root,
                                   const std::string& metadata_address);

// The main of `i2kit-agent exec-server --port P --runc R --runc-root D --metadata ADDR`.
int ExecServerMain(int argc, char** argv);

}  // namespace i2kit
