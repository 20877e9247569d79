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

#include "common/status.h"

namespace i2kit::aws {

// An access key and its secret; temporary credentials add a session token and an expiry.
struct Credentials {
  std::string access_key_id;
  std::string secret_access_key;
  std::string session_token;  // empty for long-term keys
  std::optional<std::chrono::sys_seconds> expiration;
};

}  // namespace i2kit::aws
