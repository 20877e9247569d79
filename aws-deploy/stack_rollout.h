// Changing a CloudFormation stack the way a careful operator would: look at the stack, make a
// change set, show what it changes, execute it, and follow the stack's events until it settles
// — reporting the resources that failed and why when CloudFormation rolls back. Deleting a
// stack follows it the same way.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <ostream>
#include <string>
#include <vector>

#include "aws-client/cloudformation_api.h"
#include "common/event_log.h"

namespace i2kit {

struct StackChange {
  std::string stack_name;
  std::vector<std::string> deployments;  // the manifest's, by name
  nlohmann::ordered_json stack_template;
  std::map<std::string, std::string> parameter_values;  // --parameter KEY=VALUE
};

// How the rollout waits; tests use a short interval.
struct RolloutTiming {
  std::chrono::milliseconds poll_interval{5000};
  std::function<void(std::chrono::milliseconds)> sleep;
};

// "Add      WebGroup  AWS::AutoScaling::AutoScalingGroup", one line per change, Modify lines
// saying whether the resource is replaced.
std::vector<std::string> FormatChanges(const std::vector<aws::ResourceChange>& changes);

// "CREATE_FAILED  WebGroup  AWS::AutoScaling::AutoScalingGroup  reason".
std::string FormatEvent(const aws::StackEvent& event);

class StackRollout {
 public:
  StackRollout(aws::CloudFormationClient& cloudformation, EventLog& log, RolloutTiming timing);

  // Creates or updates the stack through a change set, shows the change set's summary on the
  // log, executes it and follows it to the end. Ok when the stack ends CREATE_COMPLETE or
  // UPDATE_COMPLETE, or when nothing changed; otherwise an error naming the failed resources
  // and their reasons, after CloudFormation's rollback. A stack whose creation failed before
  // (ROLLBACK_COMPLETE, nothing left in it) is deleted and created anew.
  Result<aws::Stack> Deploy(const StackChange& change);

  // What Deploy would change, written to `out`; the change set is deleted afterwards (and the
  // empty stack a change set for a new stack leaves behind).
  Status Diff(const StackChange& change, std::ostream& out);

  // Deletes the stack and follows it until it is gone. Ok when there was no such stack.
  Status Delete(const std::string& stack_name);

  // Called when a rollout fails with an Auto Scaling group among the failed resources, with
  // the wall time the rollout began; the lines it returns (why the instances did not start)
  // are logged under the failures.
  using GroupFailureExplainer =
      std::function<std::vector<std::string>(std::chrono::sys_seconds began)>;
  void ExplainGroupFailuresWith(GroupFailureExplainer explainer) {
    explain_group_failures_ = std::move(explainer);
  }

  // Called with the stack's name and a template CloudFormation cannot take in the request
  // (over kMaxTemplateBodyBytes); returns the TemplateURL it was put at (template_bucket.h).
  // Without one, such a template is an error.
  using TemplateStager =
      std::function<Result<std::string>(const std::string& stack_name, const std::string& body)>;
  void StageLargeTemplatesWith(TemplateStager stager) { stage_template_ = std::move(stager); }

 private:
  struct Plan;
  Result<Plan> MakePlan(const StackChange& change, const std::optional<aws::Stack>& existing);
  Status DiscardPlan(const Plan& plan);
  // Follows `stack_id` from `after_event_id` until its status settles; returns the stack and
  // adds the events of failed resources to `failures`.
  Result<aws::Stack> Follow(const std::string& stack_id, std::string after_event_id,
                            std::vector<aws::StackEvent>& failures);
  Status DeleteAndFollow(const aws::Stack& stack);
  // Logs each failed resource with its reason.
  void ReportFailures(const std::vector<aws::StackEvent>& failures);

  aws::CloudFormationClient& cloudformation_;
  GroupFailureExplainer explain_group_failures_;
  TemplateStager stage_template_;
  EventLog& log_;
  RolloutTiming timing_;
};

}  // namespace i2kit
