// AWS credentials and where they come from: the chain the AWS CLI follows — environment,
// shared credentials and config files, then the instance role — as pure functions of the
// environment and the files' contents, with the file reading and IMDS fetching at the edges.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "aws-client/shared_config_file.h"
#include "common/status.h"

namespace i2kit::aws {

// An access key and its secret; temporary credentials add a session token and an expiry.
struct Credentials {
  std::string access_key_id;
  std::string secret_access_key;
  std::string session_token;  // empty for long-term keys
  std::optional<std::chrono::sys_seconds> expiration;
};

// Environment variables by name; tests pass their own, the CLI and agent CurrentEnvironment().
using Environment = std::map<std::string, std::string, std::less<>>;

// This process's environment.
Environment CurrentEnvironment();

// The two shared files: where they are and, when they exist, what they hold.
struct SharedFiles {
  std::string credentials_path;
  std::optional<std::string> credentials_text;  // nullopt: no such file
  std::string config_path;
  std::optional<std::string> config_text;
};

// AWS_SHARED_CREDENTIALS_FILE, else ~/.aws/credentials; AWS_CONFIG_FILE, else ~/.aws/config.
// A leading "~/" means $HOME. Empty when neither variable nor HOME is set.
std::string SharedCredentialsPath(const Environment& environment);
std::string SharedConfigPath(const Environment& environment);

// Reads both files. A missing file is not an error (most EC2 instances have none); a file
// that exists but cannot be read is, naming the path and errno.
Result<SharedFiles> ReadSharedFiles(const Environment& environment);

// The last link of the chain, given by the caller: the instance role's credentials from
// IMDSv2 (the agent, the CLI on EC2), or an error saying why there are none.
using InstanceRoleCredentials = std::function<Result<Credentials>()>;

// Credentials and where they were found, for messages ("profile dev in /home/u/.aws/config").
struct ResolvedCredentials {
  Credentials credentials;
  std::string source;
};

// The profile in use: `explicit_profile` (--profile) if given, else AWS_PROFILE, else
// "default".
std::string ProfileName(const Environment& environment, std::string_view explicit_profile);

// The AWS CLI's chain: AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN (skipped
// when a profile is given explicitly, as the CLI does), then the profile in the credentials
// file (`[name]`), then in the config file (`[profile name]`, `[default]`), then
// `instance_role` (may be empty: no instance role). A named profile that exists in neither
// file, a key without its secret, a file that does not parse, and a profile that needs a
// source this client lacks (role_arn, SSO, credential_process) are errors naming the file,
// the line and what was expected.
Result<ResolvedCredentials> ResolveCredentials(const Environment& environment,
                                               const SharedFiles& files,
                                               std::string_view explicit_profile,
                                               const InstanceRoleCredentials& instance_role);

// The region: AWS_REGION, then AWS_DEFAULT_REGION, then the profile's `region` (config file,
// then credentials file). Fails saying where a region may be set.
Result<std::string> ResolveRegion(const Environment& environment, const SharedFiles& files,
                                  std::string_view explicit_profile);

}  // namespace i2kit::aws
