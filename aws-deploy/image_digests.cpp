#include "aws-deploy/image_digests.h"

#include "common/vm_artifacts.h"

namespace i2kit {

Result<std::map<std::string, std::string>> ImageDigestsOf(
    const std::map<std::string, std::string>& amis, const std::vector<std::string>& dirs) {
  std::map<std::string, std::string> digests;
  for (const std::string& dir : dirs) {
    Result<VmArtifacts> artifacts = ReadVmArtifacts(dir);
    if (!artifacts.ok()) return artifacts.status();
    auto ami = amis.find(artifacts->deployment);
    if (ami != amis.end() && !artifacts->image_digest.empty()) {
      digests[ami->second] = artifacts->image_digest;
    }
  }
  return digests;
}

}  // namespace i2kit
