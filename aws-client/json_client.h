// One AWS service spoken through the JSON protocol (CloudWatch Logs): POST / with the action in
// X-Amz-Target and a JSON body, errors as {"__type": …, "message": …}. Signed and retried as
// the Query client is (signed_call.h).
#pragma once

#include <nlohmann/json.hpp>
#include <string_view>

#include "aws-client/query_client.h"

namespace i2kit::aws {

// What names a JSON API: its endpoint prefix, signing name, X-Amz-Target prefix and JSON
// version (botocore's metadata: endpointPrefix, signingName, targetPrefix, jsonVersion).
struct JsonApi {
  std::string_view endpoint_prefix;
  std::string_view signing_name;
  std::string_view target_prefix;
  std::string_view json_version;
};

inline constexpr JsonApi kCloudWatchLogsApi{"logs", "logs", "Logs_20140328", "1.1"};

class JsonClient {
 public:
  JsonClient(JsonApi api, const ClientContext& context);

  // Calls `action` with `input`; the response's JSON (an empty object for an empty body), or
  // an error "logs PutLogEvents: ThrottlingException: … (HTTP 400, request …)". `error`, when
  // given, receives AWS's error when the service answered with one.
  Result<nlohmann::json> Call(std::string_view action, const nlohmann::json& input,
                              AwsError* error = nullptr);

 private:
  JsonApi api_;
  const ClientContext& context_;
  ServiceEndpoint endpoint_;
};

}  // namespace i2kit::aws
