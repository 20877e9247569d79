#include "aws-client/service_endpoint.h"

#include <charconv>

namespace i2kit::aws {
namespace {

int DefaultPort(bool https) {
  return https ? 443 : 80;
}

}  // namespace

std::string ServiceEndpoint::HostHeader() const {
  return port == DefaultPort(https) ? host : host + ":" + std::to_string(port);
}

std::string ServiceEndpoint::Url() const {
  return std::string(https ? "https://" : "http://") + HostHeader() + path;
}

ServiceEndpoint RegionalEndpoint(std::string_view prefix, std::string_view region) {
  std::string domain = region.starts_with("cn-") ? "amazonaws.com.cn" : "amazonaws.com";
  return ServiceEndpoint{true, std::string(prefix) + "." + std::string(region) + "." + domain, 443,
                         "/"};
}

Result<ServiceEndpoint> ParseEndpointUrl(std::string_view url) {
  auto fail = [&](const std::string& why) {
    return Status::Error("endpoint URL '" + std::string(url) + "': " + why);
  };
  ServiceEndpoint endpoint;
  std::string_view rest = url;
  if (rest.starts_with("https://")) {
    rest.remove_prefix(8);
  } else if (rest.starts_with("http://")) {
    endpoint.https = false;
    rest.remove_prefix(7);
  } else {
    return fail("expected http:// or https:// at its start");
  }
  endpoint.port = DefaultPort(endpoint.https);
  size_t path_start = rest.find('/');
  std::string_view authority = rest.substr(0, path_start);
  std::string_view path = path_start == std::string_view::npos ? "/" : rest.substr(path_start);
  if (path.find_first_of("?#") != std::string_view::npos) {
    return fail("a query or fragment has no place in an endpoint");
  }
  if (authority.find('@') != std::string_view::npos) {
    return fail("credentials do not belong in the URL; use a profile or the environment");
  }
  size_t colon = authority.rfind(':');
  bool bracketed_ipv6 = authority.starts_with("[");
  if (colon != std::string_view::npos && (!bracketed_ipv6 || authority[colon - 1] == ']')) {
    std::string_view port = authority.substr(colon + 1);
    int value = 0;
    auto [end, error] = std::from_chars(port.data(), port.data() + port.size(), value);
    if (port.empty() || error != std::errc() || end != port.data() + port.size() || value < 1 ||
        value > 65535) {
      return fail("the port must be a number from 1 to 65535");
    }
    endpoint.port = value;
    authority = authority.substr(0, colon);
  }
  if (authority.empty()) return fail("expected a host after the scheme");
  endpoint.host = std::string(authority);
  endpoint.path = std::string(path);
  return endpoint;
}

}  // namespace i2kit::aws
