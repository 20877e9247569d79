#include "aws-client/instance_metadata.h"

#include <cstdio>
#include <nlohmann/json.hpp>

#include "aws-client/rest_json_protocol.h"

namespace i2kit::aws {
namespace {

// The longest token EC2 grants (6 h); the client asks again only when it restarts.
constexpr const char* kTokenTtlSeconds = "21600";

Result<std::chrono::sys_seconds> ParseIsoTime(const std::string& text) {
  int year, month, day, hour, minute, second;
  char zone = 0;
  if (std::sscanf(text.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%c", &year, &month, &day, &hour, &minute,
                  &second, &zone) != 7 ||
      zone != 'Z') {
    return Status::Error("Expiration '" + text + "' is not a UTC time (YYYY-MM-DDTHH:MM:SSZ)");
  }
  std::chrono::year_month_day date{std::chrono::year{year},
                                   std::chrono::month{static_cast<unsigned>(month)},
                                   std::chrono::day{static_cast<unsigned>(day)}};
  if (!date.ok() || hour > 23 || minute > 59 || second > 60) {
    return Status::Error("Expiration '" + text + "' is not a valid time");
  }
  return std::chrono::sys_days{date} + std::chrono::hours(hour) + std::chrono::minutes(minute) +
         std::chrono::seconds(second);
}

std::string Describe(const HttpExchange& exchange) {
  if (exchange.response) return "HTTP " + std::to_string(exchange.response->status);
  return exchange.error.empty() ? "no answer" : exchange.error;
}

}  // namespace

Result<ServiceEndpoint> InstanceMetadataEndpoint(const Environment& environment) {
  auto custom = environment.find("AWS_EC2_METADATA_SERVICE_ENDPOINT");
  if (custom != environment.end() && !custom->second.empty()) {
    return ParseEndpointUrl(custom->second);
  }
  return ServiceEndpoint{false, "169.254.169.254", 80, "/"};
}

bool InstanceMetadataDisabled(const Environment& environment) {
  auto disabled = environment.find("AWS_EC2_METADATA_DISABLED");
  return disabled != environment.end() &&
         (disabled->second == "true" || disabled->second == "TRUE");
}

Result<Credentials> ParseRoleCredentials(std::string_view json) {
  nlohmann::json document = nlohmann::json::parse(json, nullptr, false);
  if (!document.is_object()) return Status::Error("the role document is not a JSON object");
  if (document.contains("Code")) {
    Result<std::string> code = StringMember(document, "Code", "the role document");
    if (!code.ok()) return code.status();
    if (*code != "Success") {
      Result<std::string> message = StringMember(document, "Message", "the role document");
      return Status::Error("the role document says " + *code + ": " +
                           (message.ok() ? *message : ""));
    }
  }
  Credentials credentials;
  std::pair<const char*, std::string*> fields[] = {
      {"AccessKeyId", &credentials.access_key_id},
      {"SecretAccessKey", &credentials.secret_access_key},
      {"Token", &credentials.session_token}};
  for (auto [name, target] : fields) {
    auto field = document.find(name);
    if (field == document.end() || !field->is_string() || field->get<std::string>().empty()) {
      return Status::Error(std::string("the role document has no ") + name);
    }
    *target = field->get<std::string>();
  }
  if (document.contains("Expiration") && document["Expiration"].is_string()) {
    Result<std::chrono::sys_seconds> expiration = ParseIsoTime(document["Expiration"]);
    if (!expiration.ok()) return expiration.status().WithContext("the role document");
    credentials.expiration = *expiration;
  }
  return credentials;
}

InstanceMetadataClient::InstanceMetadataClient(HttpTransport& transport, ServiceEndpoint endpoint)
    : transport_(transport), endpoint_(std::move(endpoint)) {}

Status InstanceMetadataClient::FetchToken() {
  HttpRequest request;
  request.method = "PUT";
  request.path = endpoint_.path + "latest/api/token";
  request.headers = {{"Host", endpoint_.HostHeader()},
                     {"X-aws-ec2-metadata-token-ttl-seconds", kTokenTtlSeconds}};
  HttpExchange exchange = transport_.Send(endpoint_, request);
  if (!exchange.response || exchange.response->status != 200) {
    return Status::Error("instance metadata at " + endpoint_.Url() + ": no session token (" +
                         Describe(exchange) + ")");
  }
  token_ = exchange.response->body;
  return Status::Ok();
}

Result<std::string> InstanceMetadataClient::Get(std::string_view path) {
  if (token_.empty()) {
    Status fetched = FetchToken();
    if (!fetched.ok()) return fetched;
  }
  HttpRequest request;
  request.method = "GET";
  request.path = endpoint_.path + "latest/" + std::string(path);
  request.headers = {{"Host", endpoint_.HostHeader()}, {"X-aws-ec2-metadata-token", token_}};
  HttpExchange exchange = transport_.Send(endpoint_, request);
  if (exchange.response && exchange.response->status == 200) return exchange.response->body;
  if (exchange.response && exchange.response->status == 401) token_.clear();  // expired
  return Status::Error("instance metadata " + std::string(path) + ": " + Describe(exchange));
}

Result<Credentials> InstanceMetadataClient::RoleCredentials() {
  Result<std::string> roles = Get("meta-data/iam/security-credentials/");
  if (!roles.ok()) return roles.status();
  std::string role = roles->substr(0, roles->find('\n'));
  if (role.empty()) return Status::Error("the instance has no IAM role");
  Result<std::string> document = Get("meta-data/iam/security-credentials/" + role);
  if (!document.ok()) return document.status();
  Result<Credentials> credentials = ParseRoleCredentials(*document);
  if (!credentials.ok()) return credentials.status().WithContext("instance role " + role);
  return credentials;
}

}  // namespace i2kit::aws
