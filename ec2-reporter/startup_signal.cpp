#include "ec2-reporter/startup_signal.h"

namespace i2kit::reporter {

std::optional<SignalDecision> StartupSignal::Decide(const AgentReport* report,
                                                    const std::string& unreachable,
                                                    Clock::time_point now) {
  if (sent_) return std::nullopt;
  bool ready = report && report->ready;
  if (!ready) {
    ready_since_.reset();
  } else if (!ready_since_) {
    ready_since_ = now;
  }
  if (ready && (now - *ready_since_ >= target_healthy_ || now >= deadline_)) {
    if (target_healthy_.count() == 0) return SignalDecision{true, "every container is ready"};
    return SignalDecision{true, "every container is ready, for " +
                                    std::to_string(target_healthy_.count()) +
                                    " s: the load balancer routes to it"};
  }
  if (ready || now < deadline_) return std::nullopt;
  std::string why = report ? "not ready: " + DescribeNotReady(*report)
                           : "the agent did not answer: " + unreachable;
  return SignalDecision{false, "startup deadline passed; " + why};
}

}  // namespace i2kit::reporter
