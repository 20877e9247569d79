#include "aws-client/json_client.h"

#include "aws-client/http1_response.h"
#include "aws-client/signed_call.h"

namespace i2kit::aws {

AwsError ParseJsonError(int http_status, std::string_view body) {
  AwsError error;
  error.http_status = http_status;
  nlohmann::json json = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (!json.is_object()) return error;
  std::string type = json.value("__type", std::string());
  error.code = type.substr(type.find('#') == std::string::npos ? 0 : type.find('#') + 1);
  // Services differ in the case of "message".
  error.message = json.value("message", json.value("Message", std::string()));
  return error;
}

JsonClient::JsonClient(JsonApi api, const ClientContext& context)
    : api_(api),
      context_(context),
      endpoint_(context.endpoint_override
                    ? *context.endpoint_override
                    : RegionalEndpoint(api.endpoint_prefix, context.region)) {}

Result<nlohmann::json> JsonClient::Call(std::string_view action, const nlohmann::json& input,
                                        AwsError* error) {
  HttpRequest request;
  request.method = "POST";
  request.path = endpoint_.path;
  request.headers = {
      {"Host", endpoint_.HostHeader()},
      {"Content-Type", "application/x-amz-json-" + std::string(api_.json_version)},
      {"X-Amz-Target", std::string(api_.target_prefix) + "." + std::string(action)}};
  request.body = input.dump();
  nlohmann::json output;
  auto check = [&](const HttpResponse& response, AwsError* aws_error) {
    if (response.status / 100 != 2) {
      *aws_error = ParseJsonError(response.status, response.body);
      if (std::optional<std::string_view> id = FindHeader(response.headers, "x-amzn-RequestId")) {
        aws_error->request_id = std::string(*id);
      }
      return Status::Error(Describe(*aws_error));
    }
    if (response.body.empty()) {
      output = nlohmann::json::object();
      return Status::Ok();
    }
    output = nlohmann::json::parse(response.body, nullptr, /*allow_exceptions=*/false);
    if (output.is_discarded()) return Status::Error("the response is not JSON");
    return Status::Ok();
  };
  Result<HttpResponse> response =
      SendSigned(context_, endpoint_, api_.signing_name,
                 std::string(api_.endpoint_prefix) + " " + std::string(action), std::move(request),
                 check, error);
  if (!response.ok()) return response.status();
  return output;
}

}  // namespace i2kit::aws
