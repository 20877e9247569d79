// One AWS service spoken through the Query protocol: each call is encoded, signed (again on
// every attempt, with the time of that attempt), sent, retried under the retry policy, and its
// response parsed — or turned into an error naming the service, the action and AWS's code.
#pragma once

#include <string>
#include <string_view>

#include "aws-client/query_protocol.h"
#include "aws-client/service_endpoint.h"
#include "aws-client/signed_call.h"
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
// EC2 speaks its own dialect of the Query protocol (ec2_api.h).
inline constexpr QueryApi kEc2Api{"ec2", "ec2", "2016-11-15"};

class QueryClient {
 public:
  QueryClient(QueryApi api, const ClientContext& context);

  // Calls `action` with `parameters`; the parsed response, or an error "cloudformation
  // DescribeStacks: ValidationError: … (HTTP 400, request …)". `error`, when given, receives
  // AWS's error when the service answered with one (its code tells callers what happened).
  Result<XmlDocument> Call(std::string_view action, const QueryParameters& parameters,
                           AwsError* error = nullptr, const CallTraits& traits = {});

  const ServiceEndpoint& endpoint() const { return endpoint_; }

 private:
  QueryApi api_;
  const ClientContext& context_;
  ServiceEndpoint endpoint_;
};

}  // namespace i2kit::aws
