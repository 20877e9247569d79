#include "aws-client/route53_api.h"

#include "aws-client/uri_encoding.h"
#include "aws-client/xml_document.h"

namespace i2kit::aws {
namespace {

// Route 53's one region for signing, and its one endpoint (botocore: globalEndpoint).
constexpr char kSigningRegion[] = "us-east-1";
constexpr char kGlobalHost[] = "route53.amazonaws.com";

std::string WithoutPrefix(const std::string& id) {
  size_t slash = id.rfind('/');
  return slash == std::string::npos ? id : id.substr(slash + 1);
}

}  // namespace

Route53Client::Route53Client(const ClientContext& context)
    : context_(context),
      endpoint_(context.endpoint_override ? *context.endpoint_override
                                          : ServiceEndpoint{true, kGlobalHost, 443, "/"}) {
  context_.region = kSigningRegion;
}

Result<HostedZone> Route53Client::GetHostedZone(const std::string& zone_id, AwsError* error) {
  HttpRequest request;
  request.method = "GET";
  // The model's request URIs hang below the endpoint's own path (a stand-in's, a proxy's).
  std::string base = endpoint_.path;
  if (!base.empty() && base.back() == '/') base.pop_back();
  request.path = base + "/2013-04-01/hostedzone/" + UriEncode(WithoutPrefix(zone_id));
  request.headers = {{"Host", endpoint_.HostHeader()}};
  HostedZone zone;
  // REST-XML's errors are the Query protocol's <ErrorResponse>.
  auto read = [&](const HttpResponse& response, AwsError& aws_error) {
    Result<XmlDocument> document = ParseQueryResponse(response.status, response.body, &aws_error);
    if (!document.ok()) return document.status();
    Result<std::string> id = document->root().TextAt("HostedZone/Id");
    Result<std::string> name = document->root().TextAt("HostedZone/Name");
    if (!id.ok()) return id.status();
    if (!name.ok()) return name.status();
    zone = {WithoutPrefix(*id), *name,
            document->root().TextOrEmpty("HostedZone/Config/PrivateZone") == "true"};
    return Status::Ok();
  };
  Status sent = SendSigned(context_, endpoint_, "route53", "route53 GetHostedZone",
                           std::move(request), read, error);
  if (!sent.ok()) return sent;
  return zone;
}

}  // namespace i2kit::aws
