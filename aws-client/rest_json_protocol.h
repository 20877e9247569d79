// The AWS REST-JSON protocol (EBS direct APIs, among others): members travel in the URI, in
// headers or as a JSON body; errors name their code in the x-amzn-ErrorType header or the
// body's "__type", their message in "message".
#pragma once

#include <nlohmann/json.hpp>

#include "aws-client/http_transport.h"
#include "aws-client/query_protocol.h"
#include "common/status.h"

namespace i2kit::aws {

// The error of a non-2xx response. A body that is not JSON still gives an AwsError, without a
// code unless the header named one, its message the start of the body.
AwsError ParseRestJsonError(const HttpResponse& response);

// The JSON body of a 2xx response ({} when empty); for any other status, the error described
// ("ValidationException: … (HTTP 400, request …)"), with `error` filled in.
Result<nlohmann::json> ParseRestJsonResponse(const HttpResponse& response, AwsError& error);

// The value of the response header `name` (compared without case), empty when absent.
std::string HeaderValue(const HttpResponse& response, std::string_view name);

}  // namespace i2kit::aws
