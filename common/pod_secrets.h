// A Pod's Secrets as they travel from the host (or Secrets Manager) to its agent at boot, and
// never by any other way: which Secrets a Deployment refers to, and the JSON that carries their
// values. That JSON is written only to the host's private secrets file (mode 0600, beside
// vm.json, kPodSecretsFile), served to that Deployment's VMs alone, and on AWS kept as the
// deployment's Secrets Manager secret; never to an image, a pod.json, a vm.json, a template.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "common/pod_model.h"
#include "common/status.h"

namespace i2kit {

// The host's file of a Deployment's Secrets, in its artifacts directory (DIR/<deployment>/).
inline constexpr const char* kPodSecretsFile = "secrets.json";

// The Secrets `deployment` refers to (secret volumes, secretKeyRef and secretRef of its
// containers and init containers), each with whether the Pod needs it: true unless every
// reference to it is optional.
std::map<std::string, bool> ReferencedSecrets(const Deployment& deployment);

// The objects of `secrets` that `deployment` refers to, in name order; no others.
std::vector<ConfigObject> SecretsFor(const Deployment& deployment,
                                     const std::vector<ConfigObject>& secrets);

// {"secrets":[{"name":N,"data":{KEY: base64 of the value}}]}: values in base64, as Kubernetes
// has them, since they are bytes.
std::string SecretsToJson(const std::vector<ConfigObject>& secrets);
// Fails naming what is wrong — never a value.
Result<std::vector<ConfigObject>> SecretsFromJson(std::string_view text);

}  // namespace i2kit
