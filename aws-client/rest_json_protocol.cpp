#include "aws-client/rest_json_protocol.h"

#include <cstdint>

#include "aws-client/http1_response.h"

namespace i2kit::aws {
namespace {

constexpr size_t kQuotedBodyLimit = 200;

std::string StringOrEmpty(const nlohmann::json& body, std::initializer_list<const char*> names) {
  for (const char* name : names) {
    Result<std::string> value = StringMember(body, name, "");
    if (value.ok()) return *value;
  }
  return "";
}

// The member `name` of `answer` when it is of the type `is` checks; else an error saying which
// was `expected`.
Result<const nlohmann::json*> Member(const nlohmann::json& answer, std::string_view name,
                                     std::string_view what, bool (nlohmann::json::*is)() const,
                                     std::string_view expected) {
  auto fail = [&](std::string_view problem) {
    return Status::Error(std::string(what) + ": the answer " + std::string(problem));
  };
  if (!answer.is_object()) {
    return fail(std::string("is of type ") + answer.type_name() + ", not an object");
  }
  auto found = answer.find(name);
  if (found == answer.end()) return fail("has no " + std::string(name));
  if (!(*found.*is)()) {
    return fail("has " + std::string(name) + " of type " + found->type_name() + ", expected " +
                std::string(expected));
  }
  return &*found;
}

}  // namespace

Result<std::string> StringMember(const nlohmann::json& answer, std::string_view member,
                                 std::string_view what) {
  Result<const nlohmann::json*> found =
      Member(answer, member, what, &nlohmann::json::is_string, "a string");
  if (!found.ok()) return found.status();
  return (*found)->get<std::string>();
}

Result<int64_t> IntegerMember(const nlohmann::json& answer, std::string_view member,
                              std::string_view what) {
  Result<const nlohmann::json*> found =
      Member(answer, member, what, &nlohmann::json::is_number_integer, "a whole number");
  if (!found.ok()) return found.status();
  // A whole number past int64's range parses as unsigned; it is not a valid member either.
  if ((*found)->is_number_unsigned() &&
      (*found)->get<uint64_t>() > static_cast<uint64_t>(INT64_MAX)) {
    return Status::Error(std::string(what) + ": the answer's " + std::string(member) +
                         " is out of range");
  }
  return (*found)->get<int64_t>();
}

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
