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

// Members of a JSON answer, read without exceptions: an answer of another shape (not an
// object, the member missing or of another type) is an error naming `what` ("ebs
// StartSnapshot"), the member and what was expected, never a crash.
Result<std::string> StringMember(const nlohmann::json& answer, std::string_view member,
                                 std::string_view what);
Result<int64_t> IntegerMember(const nlohmann::json& answer, std::string_view member,
                              std::string_view what);

// The value of the response header `name` (compared without case), empty when absent.
std::string HeaderValue(const HttpResponse& response, std::string_view name);

}  // namespace i2kit::aws
