// One AWS service spoken through the Query protocol: each call is encoded, signed (again on
// every attempt, with the time of that attempt), sent, retried under the retry policy, and its
// response parsed — or turned into an error naming the service, the action and AWS's code.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "aws-client/credentials.h"
#include "aws-client/http_transport.h"
#include "aws-client/query_protocol.h"
#include "aws-client/retry_policy.h"
#include "aws-client/service_endpoint.h"
#include "aws-client/xml_document.h"

namespace i2kit::aws {

// What names a Query API: its endpoint prefix, signing name and version.
struct QueryApi {
  std::string_view endpoint_prefix;
  std::string_view signing_name;
  std::string_view version;
};

inline constexpr QueryApi kCloudFormationApi{"cloudformation", "cloudformation", "2010-05-15"};
inline constexpr QueryApi kAutoScalingApi{"autoscaling", "autoscaling", "2011-01-01"};

// What the clients of one session share. The transport and retry policy are borrowed and must
// outlive every client; `now` and `sleep` are injected so tests control time.
struct ClientContext {
  Credentials credentials;
  std::string region;
  std::optional<ServiceEndpoint> endpoint_override;  // --endpoint-url: every service there
  HttpTransport* transport = nullptr;
  RetryPolicy* retry_policy = nullptr;
  std::function<std::chrono::sys_seconds()> now;
  std::function<void(std::chrono::milliseconds)> sleep;
  // Told about each retry ("Throttling; retrying in 0.8 s"); may be empty.
  std::function<void(const std::string&)> notice;
};

// The production clock and sleep for a ClientContext.
std::chrono::sys_seconds SystemNow();
void SleepFor(std::chrono::milliseconds duration);

class QueryClient {
 public:
  QueryClient(QueryApi api, const ClientContext& context);

  // Calls `action` with `parameters`; the parsed response, or an error "cloudformation
  // DescribeStacks: ValidationError: … (HTTP 400, request …)". `error`, when given, receives
  // AWS's error when the service answered with one (its code tells callers what happened).
  Result<XmlDocument> Call(std::string_view action, const QueryParameters& parameters,
                           AwsError* error = nullptr);

  const ServiceEndpoint& endpoint() const { return endpoint_; }

 private:
  QueryApi api_;
  const ClientContext& context_;
  ServiceEndpoint endpoint_;
};

}  // namespace i2kit::aws
