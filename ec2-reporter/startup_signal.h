// The one CloudFormation signal of a boot, decided from the agent's reports: SUCCESS as soon
// as the Pod is ready, FAILURE once the startup deadline passes without that. It is what
// gates the group's CreationPolicy and each batch of a rolling update (WaitOnResourceSignals).
// Pure: the caller sends the signal and says when it went through.
#pragma once

#include <chrono>
#include <optional>
#include <string>

#include "ec2-reporter/agent_status.h"

namespace i2kit::reporter {

using Clock = std::chrono::steady_clock;

struct SignalDecision {
  bool success = false;
  // Why, for the log: SignalResource itself carries no reason, so the FAILURE's reasons reach
  // operators through the reporter's log (the console, CloudWatch Logs).
  std::string reason;
};

class StartupSignal {
 public:
  explicit StartupSignal(Clock::time_point deadline) : deadline_(deadline) {}

  // The signal to send at `now` given the latest report (nullptr when the agent did not
  // answer; `unreachable` then says why), or nullopt: nothing to send yet, or already sent.
  std::optional<SignalDecision> Decide(const AgentReport* report, const std::string& unreachable,
                                       Clock::time_point now) const;
  // The signal went through: nothing more is ever sent this boot.
  void MarkSent() { sent_ = true; }
  bool sent() const { return sent_; }

 private:
  Clock::time_point deadline_;
  bool sent_ = false;
};

}  // namespace i2kit::reporter
