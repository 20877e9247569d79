// Where an AWS service answers: its regional endpoint (https://cloudformation.eu-west-1.
// amazonaws.com), or the URL a user gave with --endpoint-url (a stand-in, a VPC endpoint).
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"

namespace i2kit::aws {

struct ServiceEndpoint {
  bool https = true;
  std::string host;
  int port = 443;
  std::string path = "/";  // the request path: the URL's, else "/"

  // The Host header: the host, with the port when it is not the scheme's default.
  std::string HostHeader() const;
  // "https://host[:port]/path", for messages.
  std::string Url() const;
};

// The regional endpoint of the service whose endpoint prefix is `prefix` ("cloudformation",
// "autoscaling"): PREFIX.REGION.amazonaws.com, or .amazonaws.com.cn in the China regions.
ServiceEndpoint RegionalEndpoint(std::string_view prefix, std::string_view region);

// Parses an --endpoint-url: http:// or https://, a host, an optional port, an optional path.
// Fails naming what is wrong (no scheme, a port out of range, userinfo, a query).
Result<ServiceEndpoint> ParseEndpointUrl(std::string_view url);

}  // namespace i2kit::aws
