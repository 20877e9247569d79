// The host's private copy of a Deployment's Secrets between `build` and `run`: DIR/<deployment>/
// secrets.json (common/pod_secrets.h), mode 0600, beside vm.json but named by nothing in it and
// in no image, so copying or pushing the artifacts never carries it. `run` does not read it:
// `i2kit-host metadata-serve` does, for that Deployment's VMs only, when their agents ask.
#pragma once

#include <string>
#include <vector>

#include "common/pod_model.h"
#include "common/status.h"

namespace i2kit {

// Writes DIR/secrets.json with the Secrets `deployment` refers to (created 0600 before a value
// is written, replaced atomically), or removes it when it refers to none: a rebuild never
// leaves a Secret the manifest no longer has.
Status WritePodSecretsFile(const std::string& artifacts_dir, const Deployment& deployment,
                           const std::vector<ConfigObject>& secrets);

// DIR/secrets.json's JSON, or {"secrets":[]} when there is none.
Result<std::string> ReadPodSecretsFile(const std::string& artifacts_dir);

}  // namespace i2kit
