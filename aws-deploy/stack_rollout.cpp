#include "aws-deploy/stack_rollout.h"

#include <algorithm>
#include <random>

#include "aws-client/query_client.h"
#include "aws-deploy/change_set_request.h"
#include "aws-deploy/template_bucket.h"

namespace i2kit {
namespace {

std::string Padded(std::string text, size_t width) {
  if (text.size() < width) text.append(width - text.size(), ' ');
  return text + "  ";
}

bool IsCancellation(const aws::StackEvent& event) {
  return event.reason.find("cancelled") != std::string::npos;
}

bool Succeeded(const std::string& status) {
  return status == "CREATE_COMPLETE" || status == "UPDATE_COMPLETE";
}

// Why a stack that ended in `status` is where it is, for the operator.
std::string Outcome(const aws::Stack& stack) {
  const std::string& s = stack.status;
  std::string line = "stack " + stack.name + " ended " + s;
  if (s == "ROLLBACK_COMPLETE") {
    return line +
           ": its creation failed and was rolled back, nothing of it is left (the next "
           "deploy starts afresh)";
  }
  if (s == "UPDATE_ROLLBACK_COMPLETE") {
    return line + ": the update failed and was rolled back; the previous version still serves";
  }
  if (s.ends_with("_FAILED")) {
    return line + (stack.status_reason.empty() ? "" : " (" + stack.status_reason + ")") +
           ": CloudFormation could not finish; see the events above";
  }
  return line;
}

// The states a stack must not be changed in, with what to do about them.
Status CheckChangeable(const aws::Stack& stack) {
  if (stack.status != "REVIEW_IN_PROGRESS" && aws::IsInProgress(stack.status)) {
    return Status::Error("stack " + stack.name + " is busy (" + stack.status +
                         "); wait for it to settle (i2kit-host status " + stack.name + ")");
  }
  if (stack.status.ends_with("_FAILED")) {
    return Status::Error("stack " + stack.name + " is " + stack.status +
                         (stack.status_reason.empty() ? "" : " (" + stack.status_reason + ")") +
                         ": it needs a hand first — delete it (i2kit-host delete " + stack.name +
                         ") or finish its rollback in the CloudFormation console");
  }
  return Status::Ok();
}

}  // namespace

std::vector<std::string> FormatChanges(const std::vector<aws::ResourceChange>& changes) {
  size_t id_width = 0, type_width = 0;
  for (const aws::ResourceChange& c : changes) {
    id_width = std::max(id_width, c.logical_id.size());
    type_width = std::max(type_width, c.resource_type.size());
  }
  std::vector<std::string> lines;
  for (const aws::ResourceChange& c : changes) {
    std::string line =
        Padded(c.action, 6) + Padded(c.logical_id, id_width) +
        (c.action == "Modify" ? Padded(c.resource_type, type_width) : c.resource_type);
    if (c.action == "Modify") {
      line += c.replacement == "True"            ? "replaced"
              : c.replacement == "Conditionally" ? "may be replaced"
                                                 : "updated in place";
    }
    lines.push_back(line);
  }
  return lines;
}

std::string FormatEvent(const aws::StackEvent& event) {
  std::string line = Padded(event.status, 19) + event.logical_id + " " + event.resource_type;
  if (!event.reason.empty()) line += ": " + event.reason;
  return line;
}

struct StackRollout::Plan {
  bool create = false;
  std::string stack_id;
  aws::ChangeSet change_set;
  bool no_changes = false;
};

StackRollout::StackRollout(aws::CloudFormationClient& cloudformation, EventLog& log,
                           RolloutTiming timing)
    : cloudformation_(cloudformation), log_(log), timing_(std::move(timing)) {}

Result<StackRollout::Plan> StackRollout::MakePlan(const StackChange& change,
                                                  const std::optional<aws::Stack>& existing) {
  Plan plan;
  plan.create = !existing || existing->status == "REVIEW_IN_PROGRESS";
  Result<std::vector<aws::StackParameter>> parameters = StackParameters(
      change.stack_template, change.parameter_values, plan.create ? std::nullopt : existing);
  if (!parameters.ok()) return parameters.status();
  aws::ChangeSetRequest request;
  request.stack_name = change.stack_name;
  request.change_set_name = ChangeSetName(aws::SystemNow(), std::random_device()());
  request.create = plan.create;
  request.template_body = change.stack_template.dump();
  size_t size = request.template_body.size();
  if (size > kMaxTemplateUrlBytes || (size > kMaxTemplateBodyBytes && !stage_template_)) {
    return Status::Error(
        "the stack's template is " + std::to_string(size) +
        " bytes; CloudFormation takes at most " +
        std::to_string(stage_template_ ? kMaxTemplateUrlBytes : kMaxTemplateBodyBytes) +
        " (split the manifest into several stacks)");
  }
  if (size > kMaxTemplateBodyBytes) {
    Result<std::string> url = stage_template_(change.stack_name, request.template_body);
    if (!url.ok()) return url.status().WithContext("putting the template in S3");
    request.template_url = std::move(url).value();
  }
  request.parameters = std::move(parameters).value();
  request.capabilities = RequiredCapabilities(change.stack_template);
  request.description = "i2kit-host deploy";

  Result<aws::CloudFormationClient::CreatedChangeSet> created =
      cloudformation_.CreateChangeSet(request);
  if (!created.ok()) return created.status();
  plan.stack_id = created->stack_id.empty() ? change.stack_name : created->stack_id;
  plan.change_set.id = created->id;
  log_.Progress("change set " + request.change_set_name + ": computing");
  for (;;) {
    Result<aws::ChangeSet> described = cloudformation_.DescribeChangeSet(created->id);
    if (!described.ok()) return described.status();
    plan.change_set = std::move(described).value();
    const std::string& status = plan.change_set.status;
    if (status != "CREATE_PENDING" && status != "CREATE_IN_PROGRESS") break;
    timing_.sleep(timing_.poll_interval);
  }
  log_.ClearProgress();
  if (plan.change_set.status == "CREATE_COMPLETE") return plan;
  if (plan.change_set.status == "FAILED" && aws::IsNoChangesReason(plan.change_set.status_reason)) {
    plan.no_changes = true;
    return plan;
  }
  std::string why = "change set " + request.change_set_name + " " + plan.change_set.status + ": " +
                    plan.change_set.status_reason;
  Status discarded = DiscardPlan(plan);
  if (!discarded.ok()) why += " (and cleaning up: " + discarded.message() + ")";
  return Status::Error(why);
}

Status StackRollout::DiscardPlan(const Plan& plan) {
  Status deleted = cloudformation_.DeleteChangeSet(plan.change_set.id);
  if (!deleted.ok()) return deleted;
  if (!plan.create) return Status::Ok();
  // A change set for a new stack made an empty stack in REVIEW_IN_PROGRESS: not left behind,
  // and gone before we return, so that the next deploy finds no stack.
  deleted = cloudformation_.DeleteStack(plan.stack_id);
  if (!deleted.ok()) return deleted;
  for (;;) {
    Result<std::optional<aws::Stack>> stack = cloudformation_.DescribeStack(plan.stack_id);
    if (!stack.ok()) return stack.status();
    if (!stack->has_value() || (*stack)->status == "DELETE_COMPLETE") return Status::Ok();
    if (!aws::IsInProgress((*stack)->status)) {
      return Status::Error("the empty stack " + (*stack)->name + " could not be deleted: " +
                           (*stack)->status + " " + (*stack)->status_reason);
    }
    timing_.sleep(timing_.poll_interval);
  }
}

Result<aws::Stack> StackRollout::Deploy(const StackChange& change) {
  Result<std::optional<aws::Stack>> described = cloudformation_.DescribeStack(change.stack_name);
  if (!described.ok()) return described.status();
  std::optional<aws::Stack> existing = std::move(described).value();
  if (existing) {
    Status changeable = CheckChangeable(*existing);
    if (!changeable.ok()) return changeable;
    if (existing->status == "ROLLBACK_COMPLETE") {
      log_.Event("stack " + change.stack_name +
                 " failed to be created before and holds nothing (ROLLBACK_COMPLETE): "
                 "deleting it, then creating it anew");
      Status deleted = DeleteAndFollow(*existing);
      if (!deleted.ok()) return deleted;
      existing.reset();
    }
  }
  Result<Plan> plan = MakePlan(change, existing);
  if (!plan.ok()) return plan.status();
  if (plan->no_changes) {
    Status discarded = cloudformation_.DeleteChangeSet(plan->change_set.id);
    if (!discarded.ok()) return discarded;
    log_.Event("stack " + change.stack_name + " is up to date: no changes");
    if (!existing) return Status::Error("no changes for a stack that does not exist");
    return *existing;
  }
  log_.Event(std::string(plan->create ? "creating" : "updating") + " stack " + change.stack_name +
             ": " + std::to_string(plan->change_set.changes.size()) + " changes");
  for (const std::string& line : FormatChanges(plan->change_set.changes)) log_.Event("  " + line);

  Result<std::string> newest = cloudformation_.NewestEventId(plan->stack_id);
  if (!newest.ok()) return newest.status();
  std::chrono::sys_seconds began = aws::SystemNow();
  Status executed = cloudformation_.ExecuteChangeSet(plan->change_set.id);
  if (!executed.ok()) return executed;
  std::vector<aws::StackEvent> failures;
  Result<aws::Stack> stack = Follow(plan->stack_id, *newest, failures);
  if (!stack.ok()) {
    return stack.status().WithContext("lost track of stack " + change.stack_name +
                                      ", whose change goes on in CloudFormation (i2kit-host "
                                      "status " +
                                      change.stack_name + " shows it)");
  }
  if (Succeeded(stack->status)) return stack;
  ReportFailures(failures);
  bool group_failed = std::any_of(failures.begin(), failures.end(), [](const auto& f) {
    return f.resource_type == "AWS::AutoScaling::AutoScalingGroup";
  });
  if (group_failed && explain_group_failures_) {
    for (const std::string& line : explain_group_failures_(began)) log_.Error(line);
  }
  return Status::Error(Outcome(*stack));
}

Status StackRollout::Diff(const StackChange& change, std::ostream& out) {
  Result<std::optional<aws::Stack>> existing = cloudformation_.DescribeStack(change.stack_name);
  if (!existing.ok()) return existing.status();
  if (existing->has_value()) {
    Status changeable = CheckChangeable(**existing);
    if (!changeable.ok()) return changeable;
    if ((*existing)->status == "ROLLBACK_COMPLETE") {
      out << "stack " << change.stack_name
          << " failed to be created before (ROLLBACK_COMPLETE): deploy deletes it and creates "
             "every resource anew\n";
      return Status::Ok();
    }
  }
  Result<Plan> plan = MakePlan(change, *existing);
  if (!plan.ok()) return plan.status();
  if (plan->no_changes) {
    out << "stack " << change.stack_name << " is up to date: no changes\n";
  } else {
    out << (plan->create ? "new stack " : "stack ") << change.stack_name << ": "
        << plan->change_set.changes.size() << " changes\n";
    for (const std::string& line : FormatChanges(plan->change_set.changes)) out << line << "\n";
  }
  return DiscardPlan(*plan);
}

Status StackRollout::Delete(const std::string& stack_name) {
  Result<std::optional<aws::Stack>> existing = cloudformation_.DescribeStack(stack_name);
  if (!existing.ok()) return existing.status();
  if (!existing->has_value()) {
    log_.Event("stack " + stack_name + " does not exist: nothing to delete");
    return Status::Ok();
  }
  return DeleteAndFollow(**existing);
}

Status StackRollout::DeleteAndFollow(const aws::Stack& stack) {
  Result<std::string> newest = cloudformation_.NewestEventId(stack.id);
  if (!newest.ok()) return newest.status();
  if (stack.status != "DELETE_IN_PROGRESS") {
    Status deleted = cloudformation_.DeleteStack(stack.id);
    if (!deleted.ok()) return deleted;
  }
  std::vector<aws::StackEvent> failures;
  Result<aws::Stack> followed = Follow(stack.id, *newest, failures);
  if (!followed.ok()) return followed.status();
  if (followed->status == "DELETE_COMPLETE") {
    log_.Event("stack " + stack.name + " deleted");
    return Status::Ok();
  }
  ReportFailures(failures);
  return Status::Error(Outcome(*followed));
}

void StackRollout::ReportFailures(const std::vector<aws::StackEvent>& failures) {
  for (const aws::StackEvent& failure : failures) {
    log_.Error(failure.logical_id + " (" + failure.resource_type + ") " + failure.status + ": " +
               failure.reason);
  }
}

Result<aws::Stack> StackRollout::Follow(const std::string& stack_id, std::string after_event_id,
                                        std::vector<aws::StackEvent>& failures) {
  auto start = std::chrono::steady_clock::now();
  for (;;) {
    Result<std::optional<aws::Stack>> stack = cloudformation_.DescribeStack(stack_id);
    if (!stack.ok()) return stack.status();
    Result<std::vector<aws::StackEvent>> events =
        cloudformation_.EventsAfter(stack_id, after_event_id);
    if (!events.ok()) return events.status();
    for (const aws::StackEvent& event : *events) {
      log_.Event(FormatEvent(event));
      after_event_id = event.id;
      if (event.status.ends_with("_FAILED") && !IsCancellation(event)) failures.push_back(event);
    }
    if (!stack->has_value()) return aws::Stack{stack_id, stack_id, "DELETE_COMPLETE", "", {}, {}};
    if (!aws::IsInProgress((*stack)->status)) {
      log_.ClearProgress();
      return **stack;
    }
    auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::steady_clock::now() - start);
    log_.Progress((*stack)->name + " " + (*stack)->status + " " + FormatSeconds(elapsed));
    timing_.sleep(timing_.poll_interval);
  }
}

}  // namespace i2kit
