// Which Pod VM image each AMI of a deploy holds, for the i2kit:image-digest tag of its
// instances, volumes and network interfaces: known for the AMIs deploy pushes (or diff finds
// pushed), from the artifacts directories they came from; an AMI given with --ami is not
// looked up, and its instances carry no digest.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "common/status.h"

namespace i2kit {

// AMI -> image digest, for `amis` (deployment name -> AMI) and the artifacts directories
// `dirs` of those deployments; a deployment with no directory among `dirs` is left out.
Result<std::map<std::string, std::string>> ImageDigestsOf(
    const std::map<std::string, std::string>& amis, const std::vector<std::string>& dirs);

}  // namespace i2kit
