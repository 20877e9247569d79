// Containers run by the runc binary: `runc run --detach` from the bundle the agent prepared,
// so that no runc process stays resident (a Go runtime costs ~10 MB per container); the
// container's init is reparented to the agent, which reaps it. Every start gets a fresh
// writable layer (container_root.h).
#pragma once

#include <map>
#include <string>

#include "guest-agent/container_root.h"
#include "guest-agent/container_runtime.h"

namespace i2kit {

class RuncRuntime : public ContainerRuntime {
 public:
  // `runc` is the binary's path, `state_root` runc's --root, `bundles` the directory holding
  // one bundle directory per container name, `roots` each container's root by name.
  RuncRuntime(std::string runc, std::string state_root, std::string bundles,
              std::map<std::string, ContainerRootPaths> roots);

  // Every Start of `name` fails with `reason` (a reference the container needs is missing):
  // the supervisor reports it and backs off, as Kubernetes' CreateContainerConfigError.
  void RefuseStart(const std::string& name, std::string reason);

  Result<pid_t> Start(const std::string& name, int stdout_fd, int stderr_fd) override;
  void Cleanup(const std::string& name) override;
  std::vector<std::string> ExecArgv(const std::string& name,
                                    const std::vector<std::string>& command) override;

 private:
  std::string runc_;
  std::string root_;
  std::string bundles_;
  std::map<std::string, ContainerRootPaths> roots_;
  std::map<std::string, std::string> refused_;
};

}  // namespace i2kit
