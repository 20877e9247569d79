// One AWS request as every protocol sends it: signed (again on every attempt, with the time of
// that attempt), sent, and retried under the retry policy while the failure is retryable. The
// protocol (Query, JSON) only builds the request and reads the response.
#pragma once

#include <functional>
#include <string_view>

#include "aws-client/query_client.h"

namespace i2kit::aws {

// Reads one response: Ok when it is a success, else the failure's message, with `error`
// filled from the body when the service answered with an error.
using ResponseCheck = std::function<Status(const HttpResponse& response, AwsError* error)>;

// Sends `request` to `endpoint` until `check` accepts a response or the retry policy gives up;
// `what` ("logs PutLogEvents") starts every message and notice. The accepted response, or the
// last failure; `error`, when given, receives AWS's error of the last attempt.
Result<HttpResponse> SendSigned(const ClientContext& context, const ServiceEndpoint& endpoint,
                                std::string_view signing_name, std::string_view what,
                                HttpRequest request, const ResponseCheck& check,
                                AwsError* error = nullptr);

}  // namespace i2kit::aws
