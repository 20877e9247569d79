#include "aws-client/query_client.h"

#include <thread>

#include "aws-client/signed_call.h"

namespace i2kit::aws {

std::chrono::sys_seconds SystemNow() {
  return std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now());
}

void SleepFor(std::chrono::milliseconds duration) { std::this_thread::sleep_for(duration); }

QueryClient::QueryClient(QueryApi api, const ClientContext& context)
    : api_(api),
      context_(context),
      endpoint_(context.endpoint_override
                    ? *context.endpoint_override
                    : RegionalEndpoint(api.endpoint_prefix, context.region)) {}

Result<XmlDocument> QueryClient::Call(std::string_view action, const QueryParameters& parameters,
                                      AwsError* error) {
  HttpRequest request;
  request.method = "POST";
  request.path = endpoint_.path;
  request.headers = {{"Host", endpoint_.HostHeader()},
                     {"Content-Type", "application/x-www-form-urlencoded; charset=utf-8"}};
  request.body = EncodeQueryBody(action, api_.version, parameters);
  std::optional<XmlDocument> document;
  auto check = [&](const HttpResponse& response, AwsError* aws_error) {
    Result<XmlDocument> parsed = ParseQueryResponse(response.status, response.body, aws_error);
    if (!parsed.ok()) return parsed.status();
    document = std::move(parsed).value();
    return Status::Ok();
  };
  Result<HttpResponse> response =
      SendSigned(context_, endpoint_, api_.signing_name,
                 std::string(api_.endpoint_prefix) + " " + std::string(action), std::move(request),
                 check, error);
  if (!response.ok()) return response.status();
  return std::move(*document);
}

}  // namespace i2kit::aws
