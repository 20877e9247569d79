#include "ec2-reporter/reporter.h"

#include "ec2-reporter/pod_metrics.h"

namespace i2kit::reporter {
namespace {

Clock::time_point SignalDeadline(Clock::time_point start, const InstanceIdentity& identity,
                                 const ReporterOptions& options) {
  std::chrono::seconds before = identity.signal_timeout - options.signal_margin;
  return start + std::max(before, identity.signal_timeout / 2);
}

}  // namespace

Reporter::Reporter(InstanceIdentity identity, ReporterOptions options, ReporterLinks links,
                   Clock::time_point start)
    : identity_(std::move(identity)),
      options_(options),
      links_(std::move(links)),
      signal_(SignalDeadline(start, identity_, options_)),
      restarts_(options_.restart_limit, options_.restart_window) {}

void Reporter::LogChange(std::string& previous, const std::string& line) {
  if (line == previous) return;
  previous = line;
  if (!line.empty()) links_.log(line);
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
  if (!decision) return;
  const char* status = decision->success ? "SUCCESS" : "FAILURE";
  Status sent = links_.cloudformation->SignalResource(identity_.stack, identity_.resource,
                                                      identity_.instance_id, decision->success);
  if (!sent.ok()) {
    links_.log(std::string("signal ") + status + " not sent, trying again: " + sent.message());
    return;
  }
  signal_.MarkSent();
  links_.log(std::string("signalled ") + status + " stack=" + identity_.stack +
             " resource=" + identity_.resource + ": " + decision->reason);
}

void Reporter::WatchHealth(const AgentReport& report, Clock::time_point now) {
  std::optional<std::string> verdict = restarts_.Observe(report, now);
  if (!verdict || marked_unhealthy_ || report.shutting_down) return;
  Status marked = links_.autoscaling->SetInstanceHealth(identity_.instance_id, false);
  if (!marked.ok()) {
    links_.log("instance not marked Unhealthy, trying again: " + marked.message());
    return;
  }
  marked_unhealthy_ = true;
  links_.log("instance " + identity_.instance_id + " marked Unhealthy: " + *verdict);
}

void Reporter::PublishMetrics(const AgentReport& report, Clock::time_point now) {
  if (next_metrics_ && now < *next_metrics_) return;
  next_metrics_ = now + options_.metrics_period;
  int total = TotalRestarts(report);
  Status put = links_.cloudwatch->PutMetricData(
      identity_.metrics_namespace, PodMetrics(report, identity_, total - published_restarts_));
  if (!put.ok()) {
    // The restarts are carried into the next minute's data point.
    links_.log("metrics not published: " + put.message());
    return;
  }
  published_restarts_ = total;
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
}

}  // namespace i2kit::reporter
