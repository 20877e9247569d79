#include "guest-agent/pod_secrets.h"

#include <thread>

#include "common/pod_secrets.h"
#include "common/pod_vm.h"
#include "guest-agent/metadata_client.h"

namespace i2kit {

Result<std::vector<ConfigObject>> FetchPodSecrets(const Deployment& pod,
                                                  const std::function<Result<std::string>()>& fetch,
                                                  const SecretsFetchOptions& options) {
  std::map<std::string, bool> wanted = ReferencedSecrets(pod);
  if (wanted.empty()) return std::vector<ConfigObject>{};
  Status last = Status::Error("not asked");
  std::chrono::milliseconds delay = options.delay;
  for (int attempt = 1; attempt <= std::max(1, options.attempts); ++attempt) {
    if (attempt > 1) {
      if (options.sleep) {
        options.sleep(delay);
      } else {
        std::this_thread::sleep_for(delay);
      }
      delay *= 2;
    }
    Result<std::string> text = fetch();
    if (!text.ok()) {
      last = text.status();
      continue;
    }
    Result<std::vector<ConfigObject>> given = SecretsFromJson(*text);
    if (!given.ok()) {
      last = given.status();
      continue;
    }
    std::vector<ConfigObject> secrets = SecretsFor(pod, *given);
    for (const auto& [name, needed] : wanted) {
      bool found = false;
      for (const ConfigObject& s : secrets) found = found || s.name == name;
      if (needed && !found) {
        return Status::Error("Secret " + name + " is not among the Pod's Secrets the host gave; " +
                             "it is not optional, so the Pod cannot start");
      }
    }
    return secrets;
  }
  return last.WithContext("fetching the Pod's Secrets (" + std::to_string(options.attempts) +
                          " attempts)");
}

Result<std::vector<ConfigObject>> FetchPodSecrets(const Deployment& pod,
                                                  const std::string& metadata_address,
                                                  const SecretsFetchOptions& options) {
  if (metadata_address == pod_vm::kEc2MetadataAddress && !ReferencedSecrets(pod).empty()) {
    // The stack keeps them in Secrets Manager (cloudformation/instance_role.h), which the EC2
    // reporter reads for the agent (ec2_reporter_launch.h); without its partition nothing can.
    // Said here rather than after 5 vain IMDS attempts.
    return Status::Error("the Pod refers to Secrets, and on EC2 they are in Secrets Manager (" +
                         std::string("STACK/") + pod.name +
                         "), which only the EC2 reporter fetches, and this VM has no EC2 "
                         "partition");
  }
  MetadataClient client(metadata_address, 80, std::chrono::seconds(5));
  return FetchPodSecrets(
      pod, [&] { return client.Get(pod_vm::kPodSecretsPath); }, options);
}

}  // namespace i2kit
