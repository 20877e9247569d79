#include "ec2-reporter/reporter.h"

#include "common/ec2_logs.h"
#include "ec2-reporter/pod_metrics.h"

namespace i2kit::reporter {

Clock::time_point SignalDeadline(Clock::time_point start, const InstanceIdentity& identity,
                                 const ReporterOptions& options) {
  std::chrono::seconds before = identity.signal_timeout - options.signal_margin;
  return start + std::max(before, identity.signal_timeout / 2);
}

namespace {

// CloudWatch Logs' answer about a group or stream that does not exist.
constexpr char kResourceNotFound[] = "ResourceNotFoundException";

int64_t UnixMilliseconds(std::chrono::sys_seconds time) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(time.time_since_epoch()).count();
}

}  // namespace

std::string LogGroupName(const InstanceIdentity& identity) {
  return ec2_logs::LogGroupName(identity.stack, identity.deployment);
}

Reporter::Reporter(InstanceIdentity identity, ReporterOptions options, ReporterLinks links,
                   Clock::time_point start)
    : identity_(std::move(identity)),
      options_(options),
      links_(std::move(links)),
      signal_(SignalDeadline(start, identity_, options_), identity_.target_healthy),
      restarts_(options_.restart_limit, options_.restart_window,
                options_.uptime_at_start < options_.restart_window),
      log_queue_(options_.log_queue_bytes) {}

void Reporter::LogChange(std::string& previous, const std::string& line) {
  if (line == previous) return;
  previous = line;
  if (!line.empty()) links_.log(LogLevel::kWarn, line);
}

void Reporter::RenewCredentials() {
  const aws::Credentials& current = links_.context->credentials;
  bool due = current.access_key_id.empty() ||
             (current.expiration &&
              *current.expiration - options_.credentials_refresh <= links_.context->now());
  if (!due) return;
  Result<aws::Credentials> renewed = links_.credentials();
  if (!renewed.ok()) {
    LogChange(last_credentials_error_,
              "credentials not renewed: " + renewed.status().message() + " (keeping the old ones)");
    return;
  }
  links_.context->credentials = *renewed;
  LogChange(last_credentials_error_, "");
}

void Reporter::Signal(const AgentReport* report, const std::string& unreachable,
                      Clock::time_point now) {
  std::optional<SignalDecision> decision = signal_.Decide(report, unreachable, now);
  if (decision) Send(*decision);
}

void Reporter::FailStartup(const std::string& reason) {
  RenewCredentials();
  if (!signal_.sent()) Send({false, reason});
}

void Reporter::Send(const SignalDecision& decision) {
  const char* status = decision.success ? "SUCCESS" : "FAILURE";
  if (!decision.success && !failure_reason_queued_) {
    // SignalResource carries no reason: it goes to CloudWatch Logs first, where deploy finds
    // it (common/ec2_logs.h). Shipped now, but a signal never waits for CloudWatch Logs.
    failure_reason_queued_ = true;
    int64_t now_ms = UnixMilliseconds(links_.context->now());
    log_queue_.Push(
        ec2_logs::kReporterStream,
        {now_ms, ec2_logs::JsonLogMessage("error", now_ms, ec2_logs::kReporterStream,
                                          ec2_logs::kStartupFailurePrefix + decision.reason)});
    ShipLogs();
  }
  aws::AwsError error;
  Status sent = links_.cloudformation->SignalResource(
      identity_.stack, identity_.resource, identity_.instance_id, decision.success, &error);
  if (!sent.ok() && error.code == "ValidationError") {
    // Nothing waits for this instance's signal: launched outside a creation or an update (a
    // replacement, a scale-out), or after CloudFormation's own timeout. Asking again every
    // step would change nothing.
    signal_.MarkSent();
    links_.log(LogLevel::kWarn,
               std::string("signal ") + status + " refused, not sent again: " + sent.message());
    return;
  }
  if (!sent.ok()) {
    LogChange(last_signal_error_,
              std::string("signal ") + status + " not sent, trying again: " + sent.message());
    return;
  }
  signal_.MarkSent();
  links_.log(LogLevel::kInfo, std::string("signalled ") + status + " stack=" + identity_.stack +
                                  " resource=" + identity_.resource + ": " + decision.reason);
}

void Reporter::WatchHealth(const AgentReport& report, Clock::time_point now) {
  std::optional<std::string> verdict = restarts_.Observe(report, now);
  if (!verdict || marked_unhealthy_ || report.shutting_down) return;
  Status marked = links_.autoscaling->SetInstanceHealth(identity_.instance_id, false);
  if (!marked.ok()) {
    links_.log(LogLevel::kWarn, "instance not marked Unhealthy, trying again: " + marked.message());
    return;
  }
  marked_unhealthy_ = true;
  links_.log(LogLevel::kWarn,
             "instance " + identity_.instance_id + " marked Unhealthy: " + *verdict);
}

void Reporter::PublishMetrics(const AgentReport& report, Clock::time_point now) {
  if (next_metrics_ && now < *next_metrics_) return;
  next_metrics_ = now + options_.metrics_period;
  int total = TotalRestarts(report);
  Status put = links_.cloudwatch->PutMetricData(
      identity_.metrics_namespace, PodMetrics(report, identity_, total - published_restarts_));
  if (!put.ok()) {
    // The restarts are carried into the next minute's data point.
    links_.log(LogLevel::kWarn, "metrics not published: " + put.message());
    return;
  }
  published_restarts_ = total;
}

void Reporter::CollectLogs() {
  int64_t now_ms = UnixMilliseconds(links_.context->now());
  for (int page_count = 0; page_count < options_.log_pages_per_step; ++page_count) {
    Result<LogPage> page = links_.agent->LogsFrom(next_log_line_);
    if (!page.ok()) return;  // the agent is unreachable: /status said so already
    if (page->first > next_log_line_) log_queue_.AddDropped(page->first - next_log_line_);
    for (const LogLine& line : page->lines) {
      log_queue_.Push(line.container,
                      {now_ms, ec2_logs::JsonLogMessage(LogLevelName(line.level), now_ms,
                                                        line.container, line.text)});
    }
    next_log_line_ = page->next;
    if (page->lines.empty()) break;
  }
  if (size_t dropped = log_queue_.TakeDropped(); dropped > 0) {
    links_.log(LogLevel::kWarn,
               "dropped " + std::to_string(dropped) +
                   " lines of container output (CloudWatch Logs slow or failing, or the agent's "
                   "buffer overran)");
  }
}

void Reporter::ForgetLogGroup() {
  log_group_ready_ = false;
  log_streams_ready_.clear();
}

Status Reporter::EnsureStream(const std::string& container) {
  const std::string group = LogGroupName(identity_);
  const std::string stream = ec2_logs::StreamName(identity_.instance_id, container);
  for (int pass = 0;; ++pass) {
    if (!log_group_ready_) {
      Status created = links_.logs->CreateLogGroup(group);
      if (!created.ok()) return created;
      log_group_ready_ = true;
    }
    if (log_streams_ready_.count(container) > 0) return Status::Ok();
    aws::AwsError error;
    Status created = links_.logs->CreateLogStream(group, stream, &error);
    if (created.ok()) {
      log_streams_ready_.insert(container);
      return Status::Ok();
    }
    if (error.code != kResourceNotFound || pass > 0) return created;
    // The group was deleted under us, and every stream with it: the group is made again, then
    // the stream (once: a group that vanishes again waits for the next step).
    ForgetLogGroup();
  }
}

void Reporter::ShipLogs() {
  for (int put = 0; put < options_.log_puts_per_step && !log_queue_.empty(); ++put) {
    LogBatch batch = log_queue_.NextBatch();
    Status sent = EnsureStream(batch.container);
    aws::AwsError error;
    if (sent.ok()) {
      sent = links_.logs->PutLogEvents(LogGroupName(identity_),
                                       ec2_logs::StreamName(identity_.instance_id, batch.container),
                                       batch.events, &error);
    }
    if (!sent.ok()) {
      // Deleted behind our back: create them again at the next step.
      if (error.code == kResourceNotFound) ForgetLogGroup();
      LogChange(last_logs_error_, "logs not shipped, keeping them queued (" +
                                      std::to_string(log_queue_.size_bytes()) +
                                      " bytes): " + sent.message());
      return;
    }
    log_queue_.Remove(batch);
    LogChange(last_logs_error_, "");
  }
}

void Reporter::Step(Clock::time_point now) {
  RenewCredentials();
  Result<AgentReport> report = links_.agent->Status();
  if (!report.ok()) {
    LogChange(last_agent_error_, "agent status unavailable: " + report.status().message());
    Signal(nullptr, report.status().message(), now);
    return;
  }
  LogChange(last_agent_error_, "");
  Signal(&*report, "", now);
  WatchHealth(*report, now);
  PublishMetrics(*report, now);
  CollectLogs();
  ShipLogs();
}

}  // namespace i2kit::reporter
