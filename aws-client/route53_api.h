// The Route 53 call deploy's preflight makes (REST-XML, model route53 2013-04-01): the name of
// a hosted zone, to check that --domain lies inside it. Route 53 is global: one endpoint,
// route53.amazonaws.com, and requests signed for us-east-1 whatever the session's region.
#pragma once

#include <string>

#include "aws-client/signed_call.h"

namespace i2kit::aws {

struct HostedZone {
  std::string id;    // "Z0123456789ABC", without the "/hostedzone/" Route 53 writes
  std::string name;  // "example.com." (fully qualified, as Route 53 writes it)
  bool private_zone = false;
};

class Route53Client {
 public:
  // Copies `context` (its clients, credentials and clock), to sign for Route 53's region.
  explicit Route53Client(const ClientContext& context);

  // The zone `zone_id` ("Z…" or "/hostedzone/Z…"); one that does not exist fails with
  // NoSuchHostedZone in `error`.
  Result<HostedZone> GetHostedZone(const std::string& zone_id, AwsError* error = nullptr);

 private:
  ClientContext context_;
  ServiceEndpoint endpoint_;
};

}  // namespace i2kit::aws
