// What push and deploy share to turn built Pod VMs into AMIs: the -o and --uploads options,
// and publishing each artifacts directory's disk.raw through one AmiPublisher.
#pragma once

#include <CLI/CLI.hpp>
#include <chrono>
#include <map>
#include <string>
#include <vector>

#include "host-cli/artifacts_location.h"
#include "host-cli/aws_session.h"
#include "host-cli/event_log.h"

namespace i2kit {

struct AmiPushOptions {
  std::string output_dir = kDefaultOutputDir;  // where build wrote DIR/<deployment>/
  int uploads_in_flight = 8;
  std::chrono::milliseconds poll_interval{5000};  // between looks at a snapshot: --poll-interval
};

// Declares -o/--output and --uploads on `sub`.
void AddAmiPushOptions(CLI::App& sub, AmiPushOptions& options);

// Publishes the disk of every artifacts directory in `dirs` (reusing the AMI of an image
// digest already registered); returns deployment name → AMI ID.
Result<std::map<std::string, std::string>> PushArtifacts(const std::vector<std::string>& dirs,
                                                         AwsSession& session, EventLog& log,
                                                         const AmiPushOptions& options);

// The same for the deployments `names`, built under options.output_dir; a deployment not built
// there is an error saying to build `files` first.
Result<std::map<std::string, std::string>> PushDeployments(const std::vector<std::string>& names,
                                                           const std::vector<std::string>& files,
                                                           AwsSession& session, EventLog& log,
                                                           const AmiPushOptions& options);

}  // namespace i2kit
