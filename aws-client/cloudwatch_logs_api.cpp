#include "aws-client/cloudwatch_logs_api.h"

#include "aws-client/rest_json_protocol.h"

namespace i2kit::aws {
namespace {

constexpr char kAlreadyExists[] = "ResourceAlreadyExistsException";

Status ToleratingExisting(const Result<nlohmann::json>& result, AwsError& aws_error,
                          AwsError* error) {
  if (result.ok() || aws_error.code == kAlreadyExists) return Status::Ok();
  if (error) *error = aws_error;
  return result.status();
}

}  // namespace

CloudWatchLogsClient::CloudWatchLogsClient(const ClientContext& context)
    : client_(kCloudWatchLogsApi, context) {}

Status CloudWatchLogsClient::CreateLogGroup(const std::string& group, AwsError* error) {
  AwsError aws_error;
  Result<nlohmann::json> result =
      client_.Call("CreateLogGroup", {{"logGroupName", group}}, &aws_error);
  return ToleratingExisting(result, aws_error, error);
}

Status CloudWatchLogsClient::CreateLogStream(const std::string& group, const std::string& stream,
                                             AwsError* error) {
  AwsError aws_error;
  Result<nlohmann::json> result = client_.Call(
      "CreateLogStream", {{"logGroupName", group}, {"logStreamName", stream}}, &aws_error);
  return ToleratingExisting(result, aws_error, error);
}

Status CloudWatchLogsClient::PutLogEvents(const std::string& group, const std::string& stream,
                                          const std::vector<LogEvent>& events, AwsError* error) {
  nlohmann::json list = nlohmann::json::array();
  for (const LogEvent& event : events) {
    list.push_back({{"timestamp", event.timestamp_ms}, {"message", event.message}});
  }
  Result<nlohmann::json> result = client_.Call(
      "PutLogEvents", {{"logGroupName", group}, {"logStreamName", stream}, {"logEvents", list}},
      error);
  return result.ok() ? Status::Ok() : result.status();
}

Result<std::vector<FoundLogEvent>> CloudWatchLogsClient::FilterLogEvents(const std::string& group,
                                                                         const std::string& pattern,
                                                                         int64_t since_ms,
                                                                         int max_pages,
                                                                         AwsError* error) {
  std::vector<FoundLogEvent> found;
  nlohmann::json input = {
      {"logGroupName", group}, {"filterPattern", pattern}, {"startTime", since_ms}};
  for (int page = 0; page < max_pages; ++page) {
    Result<nlohmann::json> result = client_.Call("FilterLogEvents", input, error);
    if (!result.ok()) return result.status();
    // Read without exceptions: an answer of another shape is an error, not a crash.
    const nlohmann::json* events =
        result->is_object() && result->contains("events") ? &(*result)["events"] : nullptr;
    if (events == nullptr || !events->is_array()) {
      return Status::Error("logs FilterLogEvents: the answer has no list of events");
    }
    const char what[] = "logs FilterLogEvents event";
    for (const nlohmann::json& event : *events) {
      Result<std::string> stream = StringMember(event, "logStreamName", what);
      if (!stream.ok()) return stream.status();
      Result<int64_t> timestamp = IntegerMember(event, "timestamp", what);
      if (!timestamp.ok()) return timestamp.status();
      Result<std::string> message = StringMember(event, "message", what);
      if (!message.ok()) return message.status();
      found.push_back({*stream, {*timestamp, *message}});
    }
    auto token = result->find("nextToken");
    if (token == result->end() || !token->is_string() || token->get<std::string>().empty()) break;
    input["nextToken"] = *token;
  }
  return found;
}

}  // namespace i2kit::aws
