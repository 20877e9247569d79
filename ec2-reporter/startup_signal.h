// The one CloudFormation signal of a boot, decided from the agent's reports: SUCCESS once the
// Pod has been ready for as long as its balancers' target groups take to route to it, FAILURE
// once the startup deadline passes without that. It is what gates the group's CreationPolicy
// and each batch of a rolling update (WaitOnResourceSignals): signalling at the first ready
// report would let CloudFormation retire an old instance before the new one takes traffic.
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
  // `target_healthy`: how long the Pod must stay ready before SUCCESS (the target groups'
  // interval x healthy threshold; zero without a balancer).
  StartupSignal(Clock::time_point deadline, std::chrono::seconds target_healthy)
      : deadline_(deadline), target_healthy_(target_healthy) {}

  // The signal to send at `now` given the latest report (nullptr when the agent did not
  // answer; `unreachable` then says why), or nullopt: nothing to send yet, or already sent.
  // Reports are observed in time order; a report that is not ready starts the wait again. A
  // Pod ready but still waiting at the deadline gets SUCCESS: it is ready, only not yet proven
  // to the balancer.
  std::optional<SignalDecision> Decide(const AgentReport* report, const std::string& unreachable,
                                       Clock::time_point now);
  // The signal went through: nothing more is ever sent this boot.
  void MarkSent() { sent_ = true; }
  bool sent() const { return sent_; }

 private:
  Clock::time_point deadline_;
  std::chrono::seconds target_healthy_;
  std::optional<Clock::time_point> ready_since_;
  bool sent_ = false;
};

}  // namespace i2kit::reporter
