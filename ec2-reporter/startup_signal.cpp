#include "ec2-reporter/startup_signal.h"

namespace i2kit::reporter {

std::optional<SignalDecision> StartupSignal::Decide(const AgentReport* report,
                                                    const std::string& unreachable,
                                                    Clock::time_point now) const {
  if (sent_) return std::nullopt;
  if (report && report->ready) return SignalDecision{true, "every container is ready"};
  if (now < deadline_) return std::nullopt;
  std::string why = report ? "not ready: " + DescribeNotReady(*report)
                           : "the agent did not answer: " + unreachable;
  return SignalDecision{false, "startup deadline passed; " + why};
}

}  // namespace i2kit::reporter
