#include "aws-client/json_client.h"

#include "aws-client/rest_json_protocol.h"
#include "aws-client/signed_call.h"

namespace i2kit::aws {

JsonClient::JsonClient(JsonApi api, const ClientContext& context)
    : api_(api), context_(context), endpoint_(EndpointFor(context, api.endpoint_prefix)) {}

Result<nlohmann::json> JsonClient::Call(std::string_view action, const nlohmann::json& input,
                                        AwsError* error) {
  HttpRequest request;
  request.method = "POST";
  request.path = endpoint_.path;
  request.headers = {{"Host", endpoint_.HostHeader()},
                     {"Content-Type", "application/x-amz-json-" + std::string(api_.json_version)},
                     {"X-Amz-Target", std::string(api_.target_prefix) + "." + std::string(action)}};
  request.body = input.dump();
  nlohmann::json output;
  // The JSON protocol's errors read as REST-JSON's do ("__type", "message").
  auto read = [&](const HttpResponse& response, AwsError& aws_error) {
    Result<nlohmann::json> body = ParseRestJsonResponse(response, aws_error);
    if (!body.ok()) return body.status();
    output = std::move(body).value();
    return Status::Ok();
  };
  Status sent = SendSigned(context_, endpoint_, api_.signing_name,
                           std::string(api_.endpoint_prefix) + " " + std::string(action),
                           std::move(request), read, error);
  if (!sent.ok()) return sent;
  return output;
}

}  // namespace i2kit::aws
