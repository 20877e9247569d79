// What push and deploy share to turn Pod VMs into AMIs: the -o, --uploads and build tool
// options, building the deployments missing or stale, and publishing each artifacts directory's
// disk.raw through one AmiPublisher.
#pragma once

#include <CLI/CLI.hpp>
#include <chrono>
#include <map>
#include <string>
#include <vector>

#include "aws-deploy/aws_session.h"
#include "common/event_log.h"
#include "host-cli/artifacts_location.h"
#include "host-cli/build_tools.h"

namespace i2kit {

struct AmiPushOptions {
  std::string output_dir = kDefaultOutputDir;  // where build wrote DIR/<deployment>/
  int uploads_in_flight = 8;
  std::chrono::milliseconds poll_interval{5000};  // between looks at a snapshot: --poll-interval
  BuildTools tools;                               // for the deployments missing or stale
};

// Declares -o/--output, --uploads and the build tool options on `sub`.
void AddAmiPushOptions(CLI::App& sub, AmiPushOptions& options);

// Publishes the disk of every artifacts directory in `dirs` (reusing the AMI of an image
// digest already registered); returns deployment name → AMI ID.
Result<std::map<std::string, std::string>> PushArtifacts(const std::vector<std::string>& dirs,
                                                         AwsSession& session, EventLog& log,
                                                         const AmiPushOptions& options);

// What a push of `deployments` would reuse, found without building or uploading anything:
// deployment name → the AMI of the image digest each has under options.output_dir. Fails
// naming `push` for a deployment not built there, or whose image has no AMI yet.
Result<std::map<std::string, std::string>> PushedImages(const std::vector<Deployment>& deployments,
                                                        const std::string& output_dir,
                                                        AwsSession& session);

// The artifacts directory of each of `deployments` under `output_dir`, built first (as
// `build` does, build_tools.h BuildDeployments, from `manifest`) unless what is there was
// built from the same inputs: a push never sends a stale image.
Result<std::vector<std::string>> BuiltArtifacts(const std::vector<Deployment>& deployments,
                                                const Manifest& manifest, const BuildTools& tools,
                                                const std::string& output_dir, EventLog& log,
                                                bool terminal);

}  // namespace i2kit
