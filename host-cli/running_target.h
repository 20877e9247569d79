// How the verbs that act on running Pod VMs (down, ps, logs, exec) read an argument that may
// name a deployment or a path. A deployment known here (replicas recorded, or a controller
// running it) is meant by its name even where a file or folder of that name exists in the
// working directory: `down web` beside a folder `web/` stops deployment web. Write the folder
// as ./web to mean it. Only `down` accepts paths at all.
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"
#include "local-vm/state_dir.h"

namespace i2kit {

struct RunningTarget {
  enum class Kind { kName, kPath };
  Kind kind = Kind::kName;
  ReplicaName name;  // kName: the deployment, and the replica if one was given
  std::string path;  // kPath: the argument as given
};

// Whether `deployment` has anything here to act on: a replica recorded (starting, running or
// exited) or a controller running it.
bool DeploymentKnown(const StateDir& state, const std::string& deployment);

// The rule above, as a pure function: `text` parses as a name (`is_name`) of a deployment
// `known` here, or names an `existing` path.
RunningTarget::Kind ChooseTargetKind(bool is_name, bool known, bool existing);

// Reads `text` by that rule; with `accept_paths` false (ps, logs, exec) it is always a name.
// Fails when it is neither a valid name nor an existing path.
Result<RunningTarget> ResolveRunningTarget(const StateDir& state, std::string_view text,
                                           bool accept_paths);

}  // namespace i2kit
