#include "aws-client/query_client.h"

namespace i2kit::aws {

QueryClient::QueryClient(QueryApi api, const ClientContext& context)
    : api_(api), context_(context), endpoint_(EndpointFor(context, api.endpoint_prefix)) {}

Result<XmlDocument> QueryClient::Call(std::string_view action, const QueryParameters& parameters,
                                      AwsError* error, const CallTraits& traits) {
  HttpRequest request;
  request.method = "POST";
  request.path = endpoint_.path;
  request.headers = {{"Host", endpoint_.HostHeader()},
                     {"Content-Type", "application/x-www-form-urlencoded; charset=utf-8"}};
  request.body = EncodeQueryBody(action, api_.version, parameters);
  std::optional<XmlDocument> document;
  Status sent = SendSigned(
      context_, endpoint_, api_.signing_name,
      std::string(api_.endpoint_prefix) + " " + std::string(action), std::move(request),
      [&document](const HttpResponse& response, AwsError& aws_error) {
        Result<XmlDocument> parsed = ParseQueryResponse(response.status, response.body, &aws_error);
        if (!parsed.ok()) return parsed.status();
        document = std::move(parsed).value();
        return Status::Ok();
      },
      error, traits);
  if (!sent.ok()) return sent;
  return std::move(*document);
}

}  // namespace i2kit::aws
