#include "aws-client/rest_json_protocol.h"

#include "aws-client/http1_response.h"

namespace i2kit::aws {
namespace {

constexpr size_t kQuotedBodyLimit = 200;

std::string StringOrEmpty(const nlohmann::json& body, std::initializer_list<const char*> names) {
  for (const char* name : names) {
    auto found = body.find(name);
    if (found != body.end() && found->is_string()) return found->get<std::string>();
  }
  return "";
}

}  // namespace

std::string HeaderValue(const HttpResponse& response, std::string_view name) {
  std::optional<std::string_view> value = FindHeader(response.headers, name);
  return value ? std::string(*value) : std::string();
}

AwsError ParseRestJsonError(const HttpResponse& response) {
  AwsError error;
  error.http_status = response.status;
  error.request_id = HeaderValue(response, "x-amzn-RequestId");
  // "ValidationException:http://internal.amazon.com/…": the code is what comes before ':'.
  error.code = HeaderValue(response, "x-amzn-ErrorType");
  error.code = error.code.substr(0, error.code.find(':'));
  nlohmann::json body = nlohmann::json::parse(response.body, nullptr, false);
  if (!body.is_object()) {
    error.message =
        response.body.empty() ? "empty response body" : response.body.substr(0, kQuotedBodyLimit);
    return error;
  }
  if (error.code.empty()) {
    // "com.amazon.coral.service#ThrottlingException": the code is what comes after '#'.
    std::string type = StringOrEmpty(body, {"__type", "code", "Code"});
    error.code = type.substr(type.find('#') == std::string::npos ? 0 : type.find('#') + 1);
  }
  error.message = StringOrEmpty(body, {"message", "Message"});
  std::string reason = StringOrEmpty(body, {"Reason"});
  if (!reason.empty()) error.message += " (" + reason + ")";
  return error;
}

Result<nlohmann::json> ParseRestJsonResponse(const HttpResponse& response, AwsError& error) {
  if (response.status < 200 || response.status > 299) {
    error = ParseRestJsonError(response);
    return Status::Error(Describe(error));
  }
  if (response.body.empty()) return nlohmann::json::object();
  nlohmann::json body = nlohmann::json::parse(response.body, nullptr, false);
  if (body.is_discarded()) {
    return Status::Error("AWS response: not JSON: " + response.body.substr(0, kQuotedBodyLimit));
  }
  return body;
}

}  // namespace i2kit::aws
