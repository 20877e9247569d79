#include "aws-deploy/aws_session.h"

#include <algorithm>
#include <ostream>

#include "aws-client/instance_metadata.h"

namespace i2kit {

void AddAwsOptions(CLI::App& sub, AwsOptions& options) {
  sub.add_option("--profile", options.profile,
                 "AWS profile of ~/.aws/credentials and ~/.aws/config (default: AWS_PROFILE, "
                 "else the environment's keys, else 'default')");
  sub.add_option("--region", options.region,
                 "AWS region (default: AWS_REGION, AWS_DEFAULT_REGION, the profile's region)");
  sub.add_option("--endpoint-url", options.endpoint_url,
                 "Send every AWS request to this URL instead of the regional endpoints "
                 "(default: AWS_ENDPOINT_URL)");
  sub.add_option("--poll-interval", options.poll_interval_seconds,
                 "Seconds between two looks at a stack (or a snapshot) in progress")
      ->check(CLI::Range(0.0, 300.0))
      ->capture_default_str();
}

RolloutTiming PollTiming(const AwsOptions& options) {
  return RolloutTiming{
      std::chrono::milliseconds(static_cast<long long>(options.poll_interval_seconds * 1000)),
      aws::SleepFor};
}

AwsSession::AwsSession(aws::ClientContext context)
    : context_(std::move(context)), cloudformation_(context_), autoscaling_(context_) {
  // The clients hold the context by reference and reach these only when they call.
  context_.transport = &transport_;
  context_.retry_policy = &retry_policy_;
}

std::unique_ptr<aws::HttpTransport> AwsSession::NewTransport() {
  return std::make_unique<HttplibTransport>();
}

Result<std::unique_ptr<AwsSession>> AwsSession::Open(const AwsOptions& options,
                                                     std::ostream& notices) {
  aws::Environment environment = aws::CurrentEnvironment();
  Result<aws::SharedFiles> files = aws::ReadSharedFiles(environment);
  if (!files.ok()) return files.status();
  // The chain's last link, as in the AWS CLI: the instance role through IMDSv2, asked with a
  // 1 s timeout so that off EC2 the answer "no credentials" comes quickly.
  aws::InstanceRoleCredentials instance_role;
  if (!aws::InstanceMetadataDisabled(environment)) {
    instance_role = [&environment]() -> Result<aws::Credentials> {
      Result<aws::ServiceEndpoint> endpoint = aws::InstanceMetadataEndpoint(environment);
      if (!endpoint.ok()) return endpoint.status();
      HttplibTransport transport(std::chrono::seconds(1));
      aws::InstanceMetadataClient metadata(transport, *endpoint);
      return metadata.RoleCredentials();
    };
  }
  Result<aws::ResolvedCredentials> credentials =
      aws::ResolveCredentials(environment, *files, options.profile, instance_role);
  if (!credentials.ok()) return credentials.status();
  aws::ClientContext context;
  context.credentials = credentials->credentials;
  if (!options.region.empty()) {
    context.region = options.region;
  } else {
    Result<std::string> region = aws::ResolveRegion(environment, *files, options.profile);
    if (!region.ok()) return region.status().WithContext("no --region");
    context.region = *region;
  }
  std::string endpoint_url = options.endpoint_url;
  if (endpoint_url.empty()) {
    auto variable = environment.find("AWS_ENDPOINT_URL");
    if (variable != environment.end()) endpoint_url = variable->second;
  }
  if (!endpoint_url.empty()) {
    Result<aws::ServiceEndpoint> endpoint = aws::ParseEndpointUrl(endpoint_url);
    if (!endpoint.ok()) return endpoint.status();
    context.endpoint_override = *endpoint;
  }
  context.now = aws::SystemNow;
  context.sleep = aws::SleepFor;
  // A resource just made is looked for again as often as a stack is (--poll-interval), at
  // most every 2 s, for the 2 minutes coldsnap gives a new snapshot.
  context.consistency.interval = std::min<std::chrono::milliseconds>(
      std::chrono::milliseconds(static_cast<long long>(options.poll_interval_seconds * 1000)),
      std::chrono::seconds(2));
  context.notice = [&notices](const std::string& line) { notices << line << "\n"; };
  std::unique_ptr<AwsSession> session(new AwsSession(std::move(context)));
  return session;
}

Result<AwsSession*> LazyAwsSession::Get() {
  if (!session_) {
    Result<std::unique_ptr<AwsSession>> opened = AwsSession::Open(options_, notices_);
    if (!opened.ok()) return opened.status();
    session_ = std::move(opened).value();
  }
  return session_.get();
}

}  // namespace i2kit
