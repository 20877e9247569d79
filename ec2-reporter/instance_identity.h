// Who this instance is, for the reporter: IMDSv2's instance id and region, and what the stack
// template put in the user data (cloudformation/instance_group.cpp UserData): the stack, the
// Auto Scaling group's logical id to signal, the deployment, the metrics namespace, the
// CreationPolicy's timeout and how long its target groups take to find a ready Pod healthy.
#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "aws-client/instance_metadata.h"
#include "aws-client/service_endpoint.h"
#include "common/status.h"

namespace i2kit::reporter {

struct InstanceIdentity {
  std::string instance_id;
  std::string region;
  std::string stack;
  std::string resource;  // the logical id SignalResource names
  std::string deployment;
  std::string metrics_namespace;
  std::chrono::seconds signal_timeout{600};
  // Optional "endpointUrl": every AWS service at this URL instead of its regional endpoint (a
  // stand-in in tests; the template sets none).
  std::optional<aws::ServiceEndpoint> endpoint;
  // How long after the Pod is ready its target groups route to it ("targetHealthySeconds",
  // optional): the SUCCESS signal waits that long.
  std::chrono::seconds target_healthy{0};
  // Optional "volumes": the deployment's persistent volumes, name → EBS volume id
  // ("vol-0123…"), which the agent attaches at boot (`attach-volumes`); empty without any.
  std::map<std::string, std::string> volumes;
};

// Why ReadInstanceIdentity failed.
enum class IdentityFailure {
  kNoAnswer,  // the metadata service did not answer: asking again may help
  kUserData,  // the user data is not what this reporter reads: asking again gives the same
};

// Fills the user-data fields of `identity` from the user data JSON; fails naming the first
// missing or mistyped key and what it should be ("user data has no resource (a non-empty
// string)"). signalTimeoutSeconds is optional (600 s, CloudFormation's default
// for i2kit's progress deadline), and so are targetHealthySeconds (0) and volumes (none; an
// object of volume names to EBS volume ids, "vol-" and lowercase hex digits).
Status ParseUserData(std::string_view user_data, InstanceIdentity& identity);

// The pause before discovery attempt `attempt` (the first is 0, and has none): 1, 2, 4 … s,
// never more than kMaxDiscoveryBackoff however many attempts are asked for.
inline constexpr std::chrono::seconds kMaxDiscoveryBackoff{30};
std::chrono::seconds DiscoveryBackoff(int attempt);

// Reads instance-id, placement/region and user-data through `metadata`; fails with the first
// path that did not answer, or with ParseUserData's error. `failure`, when given, says which.
Result<InstanceIdentity> ReadInstanceIdentity(aws::InstanceMetadataClient& metadata,
                                              IdentityFailure* failure = nullptr);

}  // namespace i2kit::reporter
