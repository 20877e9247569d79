#include "host-cli/running_target.h"

#include <filesystem>

#include "local-cluster/controller_files.h"

namespace i2kit {

bool DeploymentKnown(const StateDir& state, const std::string& deployment) {
  Result<std::vector<ReplicaEntry>> entries = state.List(deployment);
  return (entries.ok() && !entries->empty()) || ControllerRuns(state, deployment);
}

RunningTarget::Kind ChooseTargetKind(bool is_name, bool known, bool existing) {
  if (is_name && known) return RunningTarget::Kind::kName;
  if (existing) return RunningTarget::Kind::kPath;
  return RunningTarget::Kind::kName;
}

Result<RunningTarget> ResolveRunningTarget(const StateDir& state, std::string_view text,
                                           bool accept_paths) {
  Result<ReplicaName> name = ParseReplicaName(text);
  std::error_code error;
  bool existing = accept_paths && std::filesystem::exists(std::string(text), error);
  bool known = name.ok() && DeploymentKnown(state, name->deployment);
  RunningTarget target;
  target.kind = ChooseTargetKind(name.ok(), known, existing);
  if (target.kind == RunningTarget::Kind::kPath) {
    target.path = std::string(text);
    return target;
  }
  if (!name.ok()) {
    return Status::Error(name.status().message() + (accept_paths ? ", nor an existing file" : ""));
  }
  target.name = *name;
  return target;
}

}  // namespace i2kit
