#include "aws-client/cloudwatch_logs_api.h"

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

}  // namespace i2kit::aws
