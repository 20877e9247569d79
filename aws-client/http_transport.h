// How AWS requests travel: an interface, because the host CLI and the static guest agent bring
// different HTTP clients, and the query client above only needs to send one request and get
// one response or know why there was none.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "aws-client/service_endpoint.h"
#include "aws-client/sigv4.h"

namespace i2kit::aws {

struct HttpResponse {
  int status = 0;
  std::vector<HttpHeader> headers;
  std::string body;
};

// One request's fate: a response (any status), or why none came.
struct HttpExchange {
  std::optional<HttpResponse> response;
  bool timed_out = false;  // without a response: no answer in time (else: connection failed)
  std::string error;       // without a response: what went wrong, for messages
};

class HttpTransport {
 public:
  virtual ~HttpTransport() = default;
  // Sends `request` (its Host header already set) to `endpoint` and waits for the response.
  virtual HttpExchange Send(const ServiceEndpoint& endpoint, const HttpRequest& request) = 0;
};

}  // namespace i2kit::aws
