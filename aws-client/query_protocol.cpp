#include "aws-client/query_protocol.h"

#include "aws-client/uri_encoding.h"

namespace i2kit::aws {
namespace {

// How much of a body that is not an AWS error to quote: enough to recognise it.
constexpr size_t kQuotedBodyLimit = 200;

std::string Printable(std::string_view text) {
  std::string printable;
  for (char c : text.substr(0, kQuotedBodyLimit)) {
    printable += (c == '\n' || c == '\r' || c == '\t') ? ' ' : c;
  }
  if (text.size() > kQuotedBodyLimit) printable += "…";
  return printable;
}

}  // namespace

void QueryParameters::Add(std::string name, std::string value) {
  fields_.emplace_back(std::move(name), std::move(value));
}

void QueryParameters::AddList(std::string_view prefix, const std::vector<std::string>& values) {
  for (size_t i = 0; i < values.size(); ++i) {
    Add(std::string(prefix) + "." + std::to_string(i + 1), values[i]);
  }
}

void QueryParameters::AddStructure(std::string_view prefix, const Fields& fields) {
  for (const auto& [name, value] : fields) Add(std::string(prefix) + "." + name, value);
}

void QueryParameters::AddStructureList(std::string_view prefix, const std::vector<Fields>& items) {
  for (size_t i = 0; i < items.size(); ++i) {
    AddStructure(std::string(prefix) + "." + std::to_string(i + 1), items[i]);
  }
}

std::string EncodeQueryBody(std::string_view action, std::string_view version,
                            const QueryParameters& parameters) {
  std::string body = "Action=" + UriEncode(action) + "&Version=" + UriEncode(version);
  for (const auto& [name, value] : parameters.fields()) {
    body += "&" + UriEncode(name) + "=" + UriEncode(value);
  }
  return body;
}

std::string Describe(const AwsError& error) {
  std::string line = error.code.empty() ? "AWS error" : error.code;
  if (!error.message.empty()) line += ": " + error.message;
  line += " (HTTP " + std::to_string(error.http_status);
  if (!error.request_id.empty()) line += ", request " + error.request_id;
  return line + ")";
}

AwsError ParseQueryError(int http_status, std::string_view body) {
  AwsError error;
  error.http_status = http_status;
  Result<XmlDocument> document = XmlDocument::Parse(body);
  std::optional<XmlElement> detail;
  if (document.ok()) {
    XmlElement root = document->root();
    if (root.name() == "ErrorResponse") {
      detail = root.Child("Error");
      error.request_id = root.TextOrEmpty("RequestId");
    } else if (root.name() == "Response") {  // EC2
      detail = root.Find("Errors/Error");
      error.request_id = root.TextOrEmpty("RequestID");
    } else if (root.name() == "Error") {  // S3-style, some proxies
      detail = root;
      error.request_id = root.TextOrEmpty("RequestId");
    }
  }
  if (!detail) {
    error.message = body.empty() ? "empty response body" : Printable(body);
    return error;
  }
  error.type = detail->TextOrEmpty("Type");
  error.code = detail->TextOrEmpty("Code");
  error.message = detail->TextOrEmpty("Message");
  return error;
}

Result<XmlDocument> ParseQueryResponse(int http_status, std::string_view body, AwsError* error) {
  if (http_status < 200 || http_status > 299) {
    AwsError parsed = ParseQueryError(http_status, body);
    std::string description = Describe(parsed);
    if (error) *error = std::move(parsed);
    return Status::Error(description);
  }
  Result<XmlDocument> document = XmlDocument::Parse(body);
  if (!document.ok()) return document.status().WithContext("AWS response");
  return document;
}

}  // namespace i2kit::aws
