// The EC2 reporter's loop body: each Step reads the agent's /status and does what is due —
// the startup signal to CloudFormation, the instance's health to Auto Scaling, the minute's
// metrics to CloudWatch — then reads the containers' new output from /logs and ships it to
// CloudWatch Logs (group /i2kit/STACK/DEPLOYMENT, a stream INSTANCE/CONTAINER each). Every AWS
// failure (throttling, 5xx, no answer) is retried by the query client and then again at a later
// step, and logged; none ends the reporter, and the Pod never waits on it (the reporter is a
// separate process that only reads from the agent).
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <set>
#include <string>

#include "aws-client/autoscaling_api.h"
#include "aws-client/cloudformation_api.h"
#include "aws-client/cloudwatch_api.h"
#include "aws-client/cloudwatch_logs_api.h"
#include "aws-client/credentials.h"
#include "common/log_level.h"
#include "ec2-reporter/agent_status.h"
#include "ec2-reporter/instance_identity.h"
#include "ec2-reporter/log_queue.h"
#include "ec2-reporter/restart_watch.h"
#include "ec2-reporter/startup_signal.h"

namespace i2kit::reporter {

struct ReporterOptions {
  // The FAILURE signal goes this long before the CreationPolicy's timeout (counted from the
  // reporter's start, which is later than the group's), so that it arrives before it.
  std::chrono::seconds signal_margin{60};
  std::chrono::seconds metrics_period{60};
  int restart_limit = 5;  // CrashLoopBackOff reaches 5 restarts in ~5 minutes
  std::chrono::seconds restart_window{600};
  // How long the VM had been up when the reporter started (main reads /proc/uptime): past
  // restart_window, restarts it finds already made are of unknown age and not counted.
  std::chrono::seconds uptime_at_start{0};
  // Temporary credentials are renewed this long before they expire.
  std::chrono::seconds credentials_refresh{300};
  // Output waiting for CloudWatch Logs is held within this many bytes, the oldest dropped.
  size_t log_queue_bytes = 2 << 20;
  // Per step, at most this many pages from the agent and PutLogEvents calls.
  int log_pages_per_step = 10;
  int log_puts_per_step = 5;
};

// The startup deadline of a boot whose reporter started at `start`: the FAILURE signal goes
// then, the CreationPolicy's timeout less the margin (never less than half of it).
Clock::time_point SignalDeadline(Clock::time_point start, const InstanceIdentity& identity,
                                 const ReporterOptions& options);

// The log group of a deployment: /i2kit/STACK/DEPLOYMENT.
std::string LogGroupName(const InstanceIdentity& identity);

// What the reporter talks to. Everything is borrowed and outlives the reporter; `context` is
// the one the AWS clients were made with (its credentials are renewed in place).
struct ReporterLinks {
  AgentClient* agent = nullptr;
  aws::CloudFormationClient* cloudformation = nullptr;
  aws::AutoScalingClient* autoscaling = nullptr;
  aws::CloudWatchClient* cloudwatch = nullptr;
  aws::CloudWatchLogsClient* logs = nullptr;
  aws::ClientContext* context = nullptr;
  std::function<Result<aws::Credentials>()> credentials;  // the instance role's, from IMDSv2
  std::function<void(LogLevel, const std::string&)> log;  // one line per event
};

class Reporter {
 public:
  Reporter(InstanceIdentity identity, ReporterOptions options, ReporterLinks links,
           Clock::time_point start);

  // One pass at `now` (steady time; wall time comes from the context's clock).
  void Step(Clock::time_point now);

  // The boot failed before the Pod could start (attach-volumes): the FAILURE signal now, its
  // reason first to CloudWatch Logs as Step's would be; nothing if a signal went already.
  void FailStartup(const std::string& reason);

  bool signalled() const { return signal_.sent(); }
  bool marked_unhealthy() const { return marked_unhealthy_; }

 private:
  void RenewCredentials();
  void Signal(const AgentReport* report, const std::string& unreachable, Clock::time_point now);
  void Send(const SignalDecision& decision);
  void WatchHealth(const AgentReport& report, Clock::time_point now);
  void PublishMetrics(const AgentReport& report, Clock::time_point now);
  // Moves the agent's new lines into the queue, then puts what it can.
  void CollectLogs();
  void ShipLogs();
  // Creates the group and the container's stream unless done already; a group deleted since
  // it was made (CreateLogStream: ResourceNotFoundException) is made again, then the stream.
  Status EnsureStream(const std::string& container);
  // The group is to be made again, and all its streams.
  void ForgetLogGroup();
  // Logs `line` unless it repeats the previous line of `topic` (a failure every 5 s is one).
  void LogChange(std::string& previous, const std::string& line);
  std::string last_signal_error_;
  bool failure_reason_queued_ = false;  // the FAILURE's reason, for CloudWatch Logs

  InstanceIdentity identity_;
  ReporterOptions options_;
  ReporterLinks links_;
  StartupSignal signal_;
  RestartWatch restarts_;
  bool marked_unhealthy_ = false;
  std::optional<Clock::time_point> next_metrics_;
  int published_restarts_ = 0;
  LogQueue log_queue_;
  uint64_t next_log_line_ = 0;
  bool log_group_ready_ = false;
  std::set<std::string> log_streams_ready_;
  std::string last_agent_error_;
  std::string last_logs_error_;
  std::string last_credentials_error_;
};

}  // namespace i2kit::reporter
