// The agent's fetch of its Pod's Secrets at boot, before any container is prepared (and before
// the agent confines itself): the Secrets live in no image, so this is the only way they come.
// Locally the host's metadata service answers pod_vm.h kPodSecretsPath for this VM alone. Only
// names and keys are ever logged or put into an error, never a value.
#pragma once

#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include "common/pod_model.h"
#include "common/status.h"

namespace i2kit {

struct SecretsFetchOptions {
  int attempts = 5;  // a host still starting, a lost connection: tried again before failing
  std::chrono::milliseconds delay{1000};                 // between attempts, doubling
  std::function<void(std::chrono::milliseconds)> sleep;  // empty: the thread sleeps
};

// The Secrets `pod` refers to (common/pod_secrets.h ReferencedSecrets), from `fetch` (which
// returns their JSON). No reference: no fetch, nothing. Fails, naming the Secret, when one the
// Pod needs (a non-optional reference) is not among them or the fetch keeps failing; an
// optional one may be absent. Returns only the Secrets `pod` refers to.
Result<std::vector<ConfigObject>> FetchPodSecrets(const Deployment& pod,
                                                  const std::function<Result<std::string>()>& fetch,
                                                  const SecretsFetchOptions& options = {});

// The same from the metadata service at `metadata_address` (IMDSv2 session, kPodSecretsPath).
// EC2's address: an error when the Pod refers to Secrets, since there they are in Secrets
// Manager, which the agent reads through the EC2 reporter (ec2_reporter_launch.h
// FetchEc2DeploymentSecrets, given to the overload above) when the VM has its partition.
Result<std::vector<ConfigObject>> FetchPodSecrets(const Deployment& pod,
                                                  const std::string& metadata_address,
                                                  const SecretsFetchOptions& options = {});

}  // namespace i2kit
