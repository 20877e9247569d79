#include "host-cli/ami_push.h"

#include <filesystem>

#include "host-cli/ami_publisher.h"
#include "host-cli/vm_artifacts.h"

namespace i2kit {

void AddAmiPushOptions(CLI::App& sub, AmiPushOptions& options) {
  sub.add_option("-o,--output", options.output_dir,
                 "Where 'i2kit-host build' wrote the Pod VMs: DIR/<deployment>/")
      ->capture_default_str();
  sub.add_option("--uploads", options.uploads_in_flight,
                 "Snapshot blocks uploaded at once (EBS direct APIs)")
      ->check(CLI::Range(1, 64))
      ->capture_default_str();
}

Result<std::map<std::string, std::string>> PushArtifacts(const std::vector<std::string>& dirs,
                                                         AwsSession& session, EventLog& log,
                                                         const AmiPushOptions& options) {
  PublishOptions publish;
  publish.uploads_in_flight = options.uploads_in_flight;
  publish.poll_interval = options.poll_interval;
  AmiPublisher publisher(session.context(), AwsSession::NewTransport, log, publish);
  std::map<std::string, std::string> images;
  for (const std::string& dir : dirs) {
    Result<AmiSource> source = AmiSourceOf(dir);
    if (!source.ok()) return source.status();
    Result<PublishedAmi> published = publisher.Publish(*source);
    if (!published.ok()) return published.status().WithContext("pushing " + source->deployment);
    images[source->deployment] = published->image_id;
  }
  return images;
}

Result<std::map<std::string, std::string>> PushDeployments(const std::vector<std::string>& names,
                                                           const std::vector<std::string>& files,
                                                           AwsSession& session, EventLog& log,
                                                           const AmiPushOptions& options) {
  std::vector<std::string> dirs;
  for (const std::string& name : names) {
    std::filesystem::path dir = std::filesystem::path(options.output_dir) / name;
    std::error_code error;
    if (!std::filesystem::exists(dir / kVmArtifactsFile, error)) {
      std::string build = "i2kit-host build";
      for (const std::string& file : files) build += " " + file;
      if (options.output_dir != kDefaultOutputDir) build += " -o " + options.output_dir;
      return Status::Error("deployment " + name + " has no --ami and no artifacts in " +
                           dir.string() + ": run '" + build + "' first, or pass --ami " + name +
                           "=ami-…");
    }
    dirs.push_back(dir.string());
  }
  return PushArtifacts(dirs, session, log, options);
}

}  // namespace i2kit
