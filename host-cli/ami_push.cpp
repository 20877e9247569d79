#include "host-cli/ami_push.h"

#include <filesystem>

#include "aws-deploy/ami_publisher.h"
#include "common/vm_artifacts.h"

namespace i2kit {
namespace {

// Where `deployment` is built under `output_dir`, and whether it is (its vm.json is there).
std::filesystem::path BuiltDir(const std::string& output_dir, const std::string& deployment) {
  return std::filesystem::path(output_dir) / deployment;
}
bool IsBuilt(const std::filesystem::path& dir) {
  std::error_code error;
  return std::filesystem::exists(dir / kVmArtifactsFile, error);
}

}  // namespace

void AddAmiPushOptions(CLI::App& sub, AmiPushOptions& options) {
  sub.add_option(
         "-o,--output", options.output_dir,
         "Where the Pod VMs are built: DIR/<deployment>/ (built there first if they are not)")
      ->capture_default_str();
  sub.add_option("--uploads", options.uploads_in_flight,
                 "Snapshot blocks uploaded at once (EBS direct APIs)")
      ->check(CLI::Range(1, 64))
      ->capture_default_str();
  AddBuildToolOptions(sub, options.tools);
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

Result<std::map<std::string, std::string>> PushedImages(const std::vector<Deployment>& deployments,
                                                        const std::string& output_dir,
                                                        AwsSession& session) {
  aws::Ec2Client ec2(session.context());
  std::map<std::string, std::string> images;
  for (const Deployment& d : deployments) {
    std::filesystem::path dir = BuiltDir(output_dir, d.name);
    if (!IsBuilt(dir)) {
      return Status::Error(d.name + " is not built in " + output_dir +
                           " (-o): `i2kit-host push` builds and pushes it, or pass --ami");
    }
    Result<AmiSource> source = AmiSourceOf(dir);
    if (!source.ok()) return source.status();
    Result<std::optional<aws::Ec2Image>> image = FindImageOfDigest(ec2, source->image_digest);
    if (!image.ok()) return image.status().WithContext(d.name);
    if (!image->has_value()) {
      return Status::Error(d.name + ": image " + source->image_digest +
                           " is not pushed yet (no AMI tagged with it): run `i2kit-host push` "
                           "first, or pass --ami");
    }
    images[d.name] = (*image)->id;
  }
  return images;
}

Result<std::vector<std::string>> BuiltArtifacts(const std::vector<Deployment>& deployments,
                                                const Manifest& manifest, const BuildTools& tools,
                                                const std::string& output_dir, EventLog& log,
                                                bool terminal) {
  Result<std::vector<BuiltDeployment>> built =
      BuildDeployments(deployments, manifest, tools, output_dir, log, terminal);
  if (!built.ok()) return built.status();
  std::vector<std::string> dirs;
  for (const BuiltDeployment& b : *built) {
    log.Event(b.artifacts.deployment + (b.reused ? ": up to date, image " : ": built ") +
              b.artifacts.image_digest + " in " + b.dir);
    dirs.push_back(b.dir);
  }
  return dirs;
}

}  // namespace i2kit
