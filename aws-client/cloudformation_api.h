// The CloudFormation calls i2kit makes, typed: stacks, change sets, events, resources. Each is
// one Query call (DescribeChangeSet and DescribeStackEvents follow NextToken) through a
// QueryClient; errors carry AWS's code and message.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "aws-client/query_client.h"

namespace i2kit::aws {

struct StackOutput {
  std::string key;
  std::string value;
  std::string description;
};

struct StackParameter {
  std::string key;
  std::string value;
  bool use_previous_value = false;  // requests only: keep what the stack has
};

struct Stack {
  std::string id;  // the stack's ARN
  std::string name;
  std::string status;  // CREATE_COMPLETE, UPDATE_ROLLBACK_IN_PROGRESS, …
  std::string status_reason;
  std::vector<StackParameter> parameters;
  std::vector<StackOutput> outputs;
};

struct StackEvent {
  std::string id;
  std::string logical_id;
  std::string physical_id;
  std::string resource_type;
  std::string timestamp;  // ISO 8601, as AWS wrote it
  std::string status;
  std::string reason;
};

struct StackResource {
  std::string logical_id;
  std::string physical_id;
  std::string type;
  std::string status;
  std::string reason;
};

// One line of a change set: what happens to one resource.
struct ResourceChange {
  std::string action;  // Add, Modify, Remove, Import, Dynamic
  std::string logical_id;
  std::string physical_id;
  std::string resource_type;
  std::string replacement;  // True, False, Conditionally; empty unless Modify
};

struct ChangeSet {
  std::string id;
  std::string status;  // CREATE_PENDING, CREATE_IN_PROGRESS, CREATE_COMPLETE, FAILED
  std::string status_reason;
  std::string execution_status;  // AVAILABLE once it can be executed
  std::vector<ResourceChange> changes;
};

struct ChangeSetRequest {
  std::string stack_name;
  std::string change_set_name;
  bool create = false;  // ChangeSetType CREATE (a new stack) rather than UPDATE
  std::string template_body;
  std::string template_url;  // when not empty, sent instead of the body: an S3 object's URL
  std::vector<StackParameter> parameters;
  std::vector<std::string> capabilities;
  std::string description;
  std::vector<std::pair<std::string, std::string>> tags;
};

// The change set AWS could not create because nothing would change.
bool IsNoChangesReason(const std::string& status_reason);

// A stack status that is still moving (…_IN_PROGRESS).
bool IsInProgress(const std::string& stack_status);

class CloudFormationClient {
 public:
  explicit CloudFormationClient(const ClientContext& context);

  // The stack called (or whose ARN is) `name`; nullopt when there is none.
  Result<std::optional<Stack>> DescribeStack(const std::string& name);
  struct CreatedChangeSet {
    std::string id;        // the change set's ARN
    std::string stack_id;  // its stack's ARN (new in REVIEW_IN_PROGRESS for a CREATE)
  };
  Result<CreatedChangeSet> CreateChangeSet(const ChangeSetRequest& request);
  // The change set `id` (an ARN) with all its changes.
  Result<ChangeSet> DescribeChangeSet(const std::string& id);
  Status ExecuteChangeSet(const std::string& id);
  Status DeleteChangeSet(const std::string& id);
  // The events of stack `stack` newer than `after_event_id`, oldest first; all of them when
  // `after_event_id` is empty.
  Result<std::vector<StackEvent>> EventsAfter(const std::string& stack,
                                              const std::string& after_event_id);
  // The ID of the stack's newest event: where EventsAfter starts for the next operation.
  Result<std::string> NewestEventId(const std::string& stack);
  Result<std::vector<StackResource>> DescribeStackResources(const std::string& stack);
  Status DeleteStack(const std::string& stack);
  // Tells a resource with a CreationPolicy or WaitOnResourceSignals that instance `unique_id`
  // is ready (`success`) or failed: what the EC2 reporter sends once per boot.
  // `error`, when given, receives AWS's error (ValidationError: nothing waits for the signal).
  Status SignalResource(const std::string& stack, const std::string& logical_id,
                        const std::string& unique_id, bool success, AwsError* error = nullptr);

  const QueryClient& query() const { return client_; }

 private:
  QueryClient client_;
};

}  // namespace i2kit::aws
