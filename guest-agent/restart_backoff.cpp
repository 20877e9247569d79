#include "guest-agent/restart_backoff.h"

#include <algorithm>

namespace i2kit {

RestartBackoff::Seconds RestartBackoff::NextDelay(Seconds ran_for) {
  ++restarts_;
  if (ran_for >= kResetAfter || last_delay_ == Seconds{0}) {
    last_delay_ = kInitial;
  } else {
    last_delay_ = std::min(last_delay_ * 2, kMax);
  }
  return last_delay_;
}

}  // namespace i2kit
