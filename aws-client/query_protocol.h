// The AWS Query protocol (CloudFormation, EC2, Auto Scaling, CloudWatch, STS, ELBv2): requests
// are an application/x-www-form-urlencoded POST body of Action, Version and flattened members;
// responses are XML, errors an <ErrorResponse> (or EC2's <Response><Errors>).
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "aws-client/xml_document.h"
#include "common/status.h"

namespace i2kit::aws {

// A request's members, flattened to the names the service expects, in the order added.
class QueryParameters {
 public:
  using Fields = std::vector<std::pair<std::string, std::string>>;

  // One member: "StackName", or a nested one spelled out ("LaunchTemplateData.ImageId").
  void Add(std::string name, std::string value);
  // A list of strings as prefix.1, prefix.2, …: pass "NotificationARNs.member" for services
  // that wrap lists in <member> (CloudFormation, Auto Scaling), "InstanceId" for EC2.
  void AddList(std::string_view prefix, const std::vector<std::string>& values);
  // A structure's fields as prefix.Field ("Dimensions.member.1" + "Name").
  void AddStructure(std::string_view prefix, const Fields& fields);
  // A list of structures as prefix.N.Field ("Parameters.member.1.ParameterKey").
  void AddStructureList(std::string_view prefix, const std::vector<Fields>& items);

  const Fields& fields() const { return fields_; }

 private:
  Fields fields_;
};

// "Action=…&Version=…&member=…", every name and value percent-encoded per RFC 3986.
std::string EncodeQueryBody(std::string_view action, std::string_view version,
                            const QueryParameters& parameters);

// An error as an AWS service reports it.
struct AwsError {
  int http_status = 0;
  std::string type;  // "Sender" or "Receiver"; empty when absent
  std::string code;  // "ValidationError", "Throttling"; empty when the body had none
  std::string message;
  std::string request_id;
};

// One line for logs and the CLI: "ValidationError: Stack with id x does not exist (HTTP 400,
// request 4af1…)".
std::string Describe(const AwsError& error);

// Reads the error in a non-2xx response. A body that is not an AWS error document (a proxy's
// HTML page) still gives an AwsError, without a code, its message the start of the body.
AwsError ParseQueryError(int http_status, std::string_view body);

// The XML document of a 2xx response; for any other status, the error described. `error`,
// when given, receives the parsed error (its code drives the retry policy).
Result<XmlDocument> ParseQueryResponse(int http_status, std::string_view body,
                                       AwsError* error = nullptr);

}  // namespace i2kit::aws
