#include "aws-client/cloudformation_api.h"

#include <algorithm>

namespace i2kit::aws {
namespace {

// AWS stops paging event histories at some point; so do we, well past any real rollout.
constexpr int kMaxEventPages = 50;

Stack ReadStack(const XmlElement& member) {
  Stack stack{member.TextOrEmpty("StackId"),
              member.TextOrEmpty("StackName"),
              member.TextOrEmpty("StackStatus"),
              member.TextOrEmpty("StackStatusReason"),
              {},
              {}};
  for (const XmlElement& p : member.Members("Parameters")) {
    stack.parameters.push_back(
        {p.TextOrEmpty("ParameterKey"), p.TextOrEmpty("ParameterValue"), false});
  }
  for (const XmlElement& o : member.Members("Outputs")) {
    stack.outputs.push_back(
        {o.TextOrEmpty("OutputKey"), o.TextOrEmpty("OutputValue"), o.TextOrEmpty("Description")});
  }
  return stack;
}

}  // namespace

bool IsNoChangesReason(const std::string& status_reason) {
  // AWS's words: "The submitted information didn't contain changes. Submit different
  // information to create a change set." (and "No updates are to be performed." for stacks).
  return status_reason.find("didn't contain changes") != std::string::npos ||
         status_reason.find("No updates are to be performed") != std::string::npos;
}

bool IsInProgress(const std::string& stack_status) {
  return stack_status.ends_with("_IN_PROGRESS");
}

CloudFormationClient::CloudFormationClient(const ClientContext& context)
    : client_(kCloudFormationApi, context) {}

Result<std::optional<Stack>> CloudFormationClient::DescribeStack(const std::string& name) {
  QueryParameters parameters;
  parameters.Add("StackName", name);
  AwsError error;
  Result<XmlDocument> response = client_.Call("DescribeStacks", parameters, &error);
  if (!response.ok()) {
    if (error.code == "ValidationError" &&
        error.message.find("does not exist") != std::string::npos) {
      return std::optional<Stack>();
    }
    return response.status();
  }
  std::vector<XmlElement> stacks = response->root().Members("DescribeStacksResult/Stacks");
  if (stacks.empty()) return std::optional<Stack>();
  return std::optional<Stack>(ReadStack(stacks.front()));
}

Result<CloudFormationClient::CreatedChangeSet> CloudFormationClient::CreateChangeSet(
    const ChangeSetRequest& request) {
  QueryParameters parameters;
  parameters.Add("StackName", request.stack_name);
  parameters.Add("ChangeSetName", request.change_set_name);
  parameters.Add("ChangeSetType", request.create ? "CREATE" : "UPDATE");
  if (request.template_url.empty()) {
    parameters.Add("TemplateBody", request.template_body);
  } else {
    parameters.Add("TemplateURL", request.template_url);
  }
  std::vector<QueryParameters::Fields> stack_parameters;
  for (const StackParameter& p : request.parameters) {
    if (p.use_previous_value) {
      stack_parameters.push_back({{"ParameterKey", p.key}, {"UsePreviousValue", "true"}});
    } else {
      stack_parameters.push_back({{"ParameterKey", p.key}, {"ParameterValue", p.value}});
    }
  }
  parameters.AddStructureList("Parameters.member", stack_parameters);
  parameters.AddList("Capabilities.member", request.capabilities);
  if (!request.description.empty()) parameters.Add("Description", request.description);
  std::vector<QueryParameters::Fields> tags;
  for (const auto& [key, value] : request.tags) tags.push_back({{"Key", key}, {"Value", value}});
  parameters.AddStructureList("Tags.member", tags);
  Result<XmlDocument> response = client_.Call("CreateChangeSet", parameters);
  if (!response.ok()) return response.status();
  XmlElement root = response->root();
  Result<std::string> id = root.TextAt("CreateChangeSetResult/Id");
  if (!id.ok()) return id.status().WithContext("cloudformation CreateChangeSet");
  return CreatedChangeSet{*id, root.TextOrEmpty("CreateChangeSetResult/StackId")};
}

Result<ChangeSet> CloudFormationClient::DescribeChangeSet(const std::string& id) {
  ChangeSet change_set;
  std::string next_token;
  do {
    QueryParameters parameters;
    parameters.Add("ChangeSetName", id);
    if (!next_token.empty()) parameters.Add("NextToken", next_token);
    Result<XmlDocument> response = client_.Call("DescribeChangeSet", parameters);
    if (!response.ok()) return response.status();
    std::optional<XmlElement> result = response->root().Child("DescribeChangeSetResult");
    if (!result)
      return Status::Error("cloudformation DescribeChangeSet: no result in the response");
    change_set.id = result->TextOrEmpty("ChangeSetId");
    change_set.status = result->TextOrEmpty("Status");
    change_set.status_reason = result->TextOrEmpty("StatusReason");
    change_set.execution_status = result->TextOrEmpty("ExecutionStatus");
    for (const XmlElement& change : result->Members("Changes")) {
      std::optional<XmlElement> r = change.Child("ResourceChange");
      if (!r) continue;
      change_set.changes.push_back({r->TextOrEmpty("Action"), r->TextOrEmpty("LogicalResourceId"),
                                    r->TextOrEmpty("PhysicalResourceId"),
                                    r->TextOrEmpty("ResourceType"), r->TextOrEmpty("Replacement")});
    }
    next_token = result->TextOrEmpty("NextToken");
  } while (!next_token.empty());
  return change_set;
}

Status CloudFormationClient::ExecuteChangeSet(const std::string& id) {
  QueryParameters parameters;
  parameters.Add("ChangeSetName", id);
  Result<XmlDocument> response = client_.Call("ExecuteChangeSet", parameters);
  return response.ok() ? Status::Ok() : response.status();
}

Status CloudFormationClient::DeleteChangeSet(const std::string& id) {
  QueryParameters parameters;
  parameters.Add("ChangeSetName", id);
  Result<XmlDocument> response = client_.Call("DeleteChangeSet", parameters);
  return response.ok() ? Status::Ok() : response.status();
}

Result<std::vector<StackEvent>> CloudFormationClient::EventsAfter(
    const std::string& stack, const std::string& after_event_id) {
  std::vector<StackEvent> newest_first;
  std::string next_token;
  for (int page = 0; page < kMaxEventPages; ++page) {
    QueryParameters parameters;
    parameters.Add("StackName", stack);
    if (!next_token.empty()) parameters.Add("NextToken", next_token);
    Result<XmlDocument> response = client_.Call("DescribeStackEvents", parameters);
    if (!response.ok()) return response.status();
    for (const XmlElement& e : response->root().Members("DescribeStackEventsResult/StackEvents")) {
      StackEvent event{e.TextOrEmpty("EventId"),
                       e.TextOrEmpty("LogicalResourceId"),
                       e.TextOrEmpty("PhysicalResourceId"),
                       e.TextOrEmpty("ResourceType"),
                       e.TextOrEmpty("Timestamp"),
                       e.TextOrEmpty("ResourceStatus"),
                       e.TextOrEmpty("ResourceStatusReason")};
      if (!after_event_id.empty() && event.id == after_event_id) {
        std::reverse(newest_first.begin(), newest_first.end());
        return newest_first;
      }
      newest_first.push_back(std::move(event));
    }
    next_token = response->root().TextOrEmpty("DescribeStackEventsResult/NextToken");
    if (next_token.empty()) break;
  }
  std::reverse(newest_first.begin(), newest_first.end());
  return newest_first;
}

Result<std::string> CloudFormationClient::NewestEventId(const std::string& stack) {
  QueryParameters parameters;
  parameters.Add("StackName", stack);
  Result<XmlDocument> response = client_.Call("DescribeStackEvents", parameters);
  if (!response.ok()) return response.status();
  std::vector<XmlElement> events =
      response->root().Members("DescribeStackEventsResult/StackEvents");
  return events.empty() ? std::string() : events.front().TextOrEmpty("EventId");
}

Result<std::vector<StackResource>> CloudFormationClient::DescribeStackResources(
    const std::string& stack) {
  QueryParameters parameters;
  parameters.Add("StackName", stack);
  Result<XmlDocument> response = client_.Call("DescribeStackResources", parameters);
  if (!response.ok()) return response.status();
  std::vector<StackResource> resources;
  for (const XmlElement& r :
       response->root().Members("DescribeStackResourcesResult/StackResources")) {
    resources.push_back({r.TextOrEmpty("LogicalResourceId"), r.TextOrEmpty("PhysicalResourceId"),
                         r.TextOrEmpty("ResourceType"), r.TextOrEmpty("ResourceStatus"),
                         r.TextOrEmpty("ResourceStatusReason")});
  }
  return resources;
}

Status CloudFormationClient::DeleteStack(const std::string& stack) {
  QueryParameters parameters;
  parameters.Add("StackName", stack);
  Result<XmlDocument> response = client_.Call("DeleteStack", parameters);
  return response.ok() ? Status::Ok() : response.status();
}

Status CloudFormationClient::SignalResource(const std::string& stack, const std::string& logical_id,
                                            const std::string& unique_id, bool success,
                                            AwsError* error) {
  QueryParameters parameters;
  parameters.Add("StackName", stack);
  parameters.Add("LogicalResourceId", logical_id);
  parameters.Add("UniqueId", unique_id);
  parameters.Add("Status", success ? "SUCCESS" : "FAILURE");
  Result<XmlDocument> response = client_.Call("SignalResource", parameters, error);
  return response.ok() ? Status::Ok() : response.status();
}

}  // namespace i2kit::aws
