// i2kit-ec2-reporter: started by the agent on EC2, unprivileged. Learns who it is through
// IMDSv2 (giving up, and saying so, when no metadata service answers: then it is not on EC2
// and does nothing), then steps the reporter every few seconds until it is stopped.
// `i2kit-ec2-reporter secrets [FLAGS]` is the agent's one-shot fetch of the Pod's Secrets at
// boot: the SecretString of the deployment's Secrets Manager secret, STACK/DEPLOYMENT (from the
// same user data), on stdout and nothing else there; its lines go to stderr and never hold the
// value; exit 0 with the value, 1 without (the agent retries).
// `i2kit-ec2-reporter attach-volumes [FLAGS]` is the agent's one-shot attach of the
// deployment's EBS volumes at boot (volume_attach.h): "NAME SERIAL" lines on stdout, exit 0
// once each is attached to this instance; 1 when one is not by the startup deadline, after
// signalling the startup FAILURE with the reason (the Pod never starts without its data).
// Exit codes: 0 stopped or nothing to do — among them user data it cannot use, which another
// start would read the same — 2 bad usage. Its lines go to the console through the agent's
// kind of logger (common/async_console_log.h), at or above --log-level (the agent passes its
// own, i2kit.log_level=): info for progress, warn for failures it survives, error for what
// ends it.
#include <signal.h>

#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <thread>

#include "aws-client/ec2_api.h"
#include "aws-client/openssl_transport.h"
#include "aws-client/retry_policy.h"
#include "aws-client/secrets_manager_api.h"
#include "common/async_console_log.h"
#include "common/log_level.h"
#include "ec2-reporter/reporter.h"
#include "ec2-reporter/time_sync.h"
#include "ec2-reporter/volume_attach.h"

namespace {

using namespace i2kit;

struct Flags {
  std::string metadata_url;  // empty: AWS_EC2_METADATA_SERVICE_ENDPOINT, else 169.254.169.254
  std::string agent_url = "http://127.0.0.1:8089/";
  std::string endpoint_url;  // every AWS service there (the local stand-in)
  std::string ca_bundle = aws::kSystemCaBundle;
  int poll_seconds = 5;
  int discovery_attempts = 5;
  int steps = 0;                             // 0: until stopped
  std::string uptime_file = "/proc/uptime";  // how long the VM has been up
  // The Amazon Time Sync Service, IPV4[:PORT]; empty: none.
  std::string time_server = i2kit::reporter::kAmazonTimeSync;
  LogLevel log_level = LogLevel::kInfo;
};

using Logger = std::function<void(LogLevel, const std::string&)>;

// `text` as a whole number of at least `least`: std::atoi would take "5s" for 5 and "x" for 0.
bool ParseCount(const std::string& text, int least, int& value) {
  int parsed = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), parsed);
  if (error != std::errc() || end != text.data() + text.size() || parsed < least) return false;
  value = parsed;
  return true;
}

bool ParseFlags(int argc, char** argv, Flags& flags) {
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string flag = argv[i], value = argv[i + 1];
    if (flag == "--metadata-url") {
      flags.metadata_url = value;
    } else if (flag == "--agent-url") {
      flags.agent_url = value;
    } else if (flag == "--endpoint-url") {
      flags.endpoint_url = value;
    } else if (flag == "--ca-bundle") {
      flags.ca_bundle = value;
    } else if (flag == "--poll-seconds") {
      if (!ParseCount(value, 1, flags.poll_seconds)) return false;
    } else if (flag == "--discovery-attempts") {
      if (!ParseCount(value, 1, flags.discovery_attempts)) return false;
    } else if (flag == "--steps") {
      if (!ParseCount(value, 0, flags.steps)) return false;
    } else if (flag == "--uptime-file") {
      flags.uptime_file = value;
    } else if (flag == "--time-server") {
      flags.time_server = value;
    } else if (flag == "--log-level") {
      std::optional<LogLevel> level = ParseLogLevel(value);
      if (!level) return false;
      flags.log_level = *level;
    } else {
      return false;
    }
  }
  return argc % 2 == 1;
}

// IMDSv2 at boot may be slow: a few attempts, backing off 1, 2, 4 … s, at most 30 s. User
// data that does not configure the reporter is not asked for again: it would not change.
Result<reporter::InstanceIdentity> Discover(aws::InstanceMetadataClient& metadata, int attempts,
                                            reporter::IdentityFailure& failure, const Logger& say) {
  Status last;
  for (int attempt = 0; attempt < attempts; ++attempt) {
    std::this_thread::sleep_for(reporter::DiscoveryBackoff(attempt));
    Result<reporter::InstanceIdentity> identity =
        reporter::ReadInstanceIdentity(metadata, &failure);
    if (identity.ok() || failure == reporter::IdentityFailure::kUserData) return identity;
    last = identity.status();
    say(LogLevel::kWarn,
        "instance metadata attempt " + std::to_string(attempt + 1) + ": " + last.message());
  }
  return last;
}

// Signs with the Amazon Time Sync Service's time when it answers (one query, half a second at
// most: it is link-local); else with this clock, corrected later by AWS's Date if refused.
void CorrectClock(const std::string& server, aws::ClockSkew& skew, const Logger& say) {
  if (server.empty()) return;
  size_t colon = server.find(':');
  int port = 123;
  if (colon != std::string::npos && !ParseCount(server.substr(colon + 1), 1, port)) port = 0;
  Result<std::chrono::milliseconds> offset =
      port > 65535 || port == 0
          ? Result<std::chrono::milliseconds>(Status::Error("bad time server port in " + server))
          : reporter::QueryTimeServer(server.substr(0, colon), static_cast<uint16_t>(port),
                                      std::chrono::milliseconds(500));
  if (!offset.ok()) {
    say(LogLevel::kWarn, "clock: " + offset.status().message() + ": signing with this clock");
    return;
  }
  skew.Set(std::chrono::duration_cast<std::chrono::seconds>(*offset));
  say(LogLevel::kInfo, "clock: " + server + " says this clock is " +
                           std::to_string(std::abs(offset->count())) + " ms " +
                           (offset->count() >= 0 ? "behind" : "ahead") + "; signing with its time");
}

// The secrets mode's work once the instance is known: the value on stdout, whole, or an error.
int PrintDeploymentSecret(const reporter::InstanceIdentity& identity, aws::ClientContext& context,
                          aws::InstanceMetadataClient& metadata, const Logger& say) {
  Result<aws::Credentials> credentials = metadata.RoleCredentials();
  if (!credentials.ok()) {
    say(LogLevel::kError, "no role credentials: " + credentials.status().message());
    return 1;
  }
  context.credentials = *credentials;
  aws::SecretsManagerClient secrets(context);
  Result<std::string> value = secrets.GetSecretString(identity.stack + "/" + identity.deployment);
  if (!value.ok()) {
    say(LogLevel::kError, value.status().message());
    return 1;
  }
  if (std::fwrite(value->data(), 1, value->size(), stdout) != value->size() ||
      std::fflush(stdout) != 0) {
    say(LogLevel::kError, "writing the secret to stdout failed");
    return 1;
  }
  return 0;
}

// The attach-volumes mode's work once the instance is known; a failure is the boot's startup
// FAILURE, signalled here since no reporter runs until the Pod has started.
int AttachDeploymentVolumes(const reporter::InstanceIdentity& identity, aws::ClientContext& context,
                            aws::InstanceMetadataClient& metadata,
                            reporter::Clock::time_point start, const reporter::ReporterLinks& links,
                            const Logger& say) {
  Result<aws::Credentials> credentials = metadata.RoleCredentials();
  if (!credentials.ok()) {
    say(LogLevel::kError, "no role credentials: " + credentials.status().message());
    return 1;
  }
  context.credentials = *credentials;
  aws::Ec2Client ec2(context);
  reporter::AttachLinks attach{
      &ec2, [] { return reporter::Clock::now(); },
      [](std::chrono::milliseconds pause) { std::this_thread::sleep_for(pause); }, say};
  reporter::ReporterOptions options;
  Result<std::map<std::string, std::string>> serials =
      reporter::AttachVolumes(identity, reporter::SignalDeadline(start, identity, options), attach);
  if (!serials.ok()) {
    say(LogLevel::kError, serials.status().message());
    reporter::Reporter failed(identity, options, links, start);
    failed.FailStartup(serials.status().message());
    return 1;
  }
  std::string text;
  for (const auto& [name, serial] : *serials) text += name + " " + serial + "\n";
  if (std::fwrite(text.data(), 1, text.size(), stdout) != text.size() || std::fflush(stdout) != 0) {
    say(LogLevel::kError, "writing the volumes to stdout failed");
    return 1;
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  // The one-shot modes: their word is dropped, the flags are the same.
  const bool secrets_mode = argc > 1 && std::string(argv[1]) == "secrets";
  const bool attach_mode = argc > 1 && std::string(argv[1]) == "attach-volumes";
  const reporter::Clock::time_point start = reporter::Clock::now();
  if (secrets_mode || attach_mode) {
    --argc;
    ++argv;
  }
  Flags flags;
  if (!ParseFlags(argc, argv, flags)) {
    std::fprintf(
        stderr,
        "usage: i2kit-ec2-reporter [secrets|attach-volumes] [--metadata-url URL] [--agent-url URL] "
        "[--endpoint-url URL] [--ca-bundle FILE] [--poll-seconds N] "
        "[--discovery-attempts N] [--steps N] [--uptime-file FILE] "
        "[--time-server IPV4[:PORT]] [--log-level debug|info|warn|error|off]\n");
    return 2;
  }
  AsyncConsoleLogOptions log_options;
  log_options.level = flags.log_level;
  log_options.program = "i2kit-ec2-reporter";
  // stdout carries the secret, or the volumes, alone in the one-shot modes.
  if (secrets_mode || attach_mode) {
    log_options.write = [](std::string_view line) {
      std::fprintf(stderr, "%.*s\n", static_cast<int>(line.size()), line.data());
    };
  }
  AsyncConsoleLog log(log_options);
  // AWS's and the metadata service's messages are not trusted with the console's cursor.
  const Logger say = [&log](LogLevel level, const std::string& line) {
    log.Log(level, "i2kit-ec2-reporter: " + EscapeControlBytes(line));
  };
  const auto warn = [&say](const std::string& line) { say(LogLevel::kWarn, line); };
  // A peer that closes mid-write must fail that write, not kill the process (TLS writes go
  // through write(2), which has no MSG_NOSIGNAL).
  ::signal(SIGPIPE, SIG_IGN);

  aws::Environment environment = aws::CurrentEnvironment();
  Result<aws::ServiceEndpoint> metadata_endpoint = flags.metadata_url.empty()
                                                       ? aws::InstanceMetadataEndpoint(environment)
                                                       : aws::ParseEndpointUrl(flags.metadata_url);
  Result<aws::ServiceEndpoint> agent_endpoint = aws::ParseEndpointUrl(flags.agent_url);
  if (!metadata_endpoint.ok() || !agent_endpoint.ok()) {
    say(LogLevel::kError, "bad URL: " + (metadata_endpoint.ok() ? agent_endpoint.status()
                                                                : metadata_endpoint.status())
                                            .message());
    return 2;
  }
  std::optional<aws::ServiceEndpoint> endpoint;  // every AWS service there, if set
  if (!flags.endpoint_url.empty()) {
    Result<aws::ServiceEndpoint> parsed = aws::ParseEndpointUrl(flags.endpoint_url);
    if (!parsed.ok()) {
      say(LogLevel::kError, "bad URL: " + parsed.status().message());
      return 2;
    }
    endpoint = *parsed;
  }
  // The metadata service is a link-local hop away: it answers within a second or not at all.
  aws::OpenSslTransport metadata_transport({flags.ca_bundle, std::chrono::seconds(2)});
  aws::InstanceMetadataClient metadata(metadata_transport, *metadata_endpoint);
  reporter::IdentityFailure failure = reporter::IdentityFailure::kNoAnswer;
  Result<reporter::InstanceIdentity> identity =
      Discover(metadata, flags.discovery_attempts, failure, say);
  if (!identity.ok() && (secrets_mode || attach_mode)) {
    say(LogLevel::kError, "no instance identity: " + identity.status().message());
    return 1;
  }
  if (!identity.ok() && failure == reporter::IdentityFailure::kUserData) {
    // Permanent: exiting 0 keeps the agent's supervisor from restarting the reporter forever
    // to read the same user data again.
    say(LogLevel::kError, identity.status().message() + ": reporting nothing");
    return 0;
  }
  if (!identity.ok()) {
    say(LogLevel::kError, "not on EC2, or not an i2kit instance (" + identity.status().message() +
                              "): reporting nothing");
    return 0;
  }
  say(LogLevel::kInfo, "instance " + identity->instance_id + " region=" + identity->region +
                           " stack=" + identity->stack + " resource=" + identity->resource +
                           " deployment=" + identity->deployment);

  aws::OpenSslTransport transport({flags.ca_bundle, std::chrono::seconds(10)});
  aws::RetryPolicy retry_policy;
  aws::ClientContext context;
  context.region = identity->region;
  context.transport = &transport;
  context.retry_policy = &retry_policy;
  context.now = aws::SystemNow;
  context.sleep = aws::SleepFor;
  context.notice = warn;  // retries
  CorrectClock(flags.time_server, *context.clock_skew, say);
  if (!endpoint) endpoint = identity->endpoint;
  if (endpoint) {
    say(LogLevel::kInfo, "every AWS service at " + endpoint->Url());
    context.endpoint_override = *endpoint;
  }
  if (secrets_mode) return PrintDeploymentSecret(*identity, context, metadata, say);
  aws::CloudFormationClient cloudformation(context);
  aws::AutoScalingClient autoscaling(context);
  aws::CloudWatchClient cloudwatch(context);
  aws::CloudWatchLogsClient logs(context);
  aws::OpenSslTransport agent_transport({flags.ca_bundle, std::chrono::seconds(2)});
  reporter::AgentClient agent(agent_transport, *agent_endpoint);
  reporter::ReporterLinks links{&agent,
                                &cloudformation,
                                &autoscaling,
                                &cloudwatch,
                                &logs,
                                &context,
                                [&] { return metadata.RoleCredentials(); },
                                say};
  if (attach_mode) {
    return AttachDeploymentVolumes(*identity, context, metadata, start, links, say);
  }
  reporter::ReporterOptions options;
  double uptime = 0;
  if (std::FILE* file = std::fopen(flags.uptime_file.c_str(), "r")) {
    if (std::fscanf(file, "%lf", &uptime) != 1) uptime = 0;
    std::fclose(file);
  }
  options.uptime_at_start = std::chrono::seconds(static_cast<int64_t>(uptime));
  reporter::Reporter reporter(*identity, options, links, reporter::Clock::now());
  for (int step = 0; flags.steps == 0 || step < flags.steps; ++step) {
    if (step > 0) std::this_thread::sleep_for(std::chrono::seconds(flags.poll_seconds));
    reporter.Step(reporter::Clock::now());
  }
  return 0;
}
