#include "guest-agent/line_rate_limit.h"

#include <algorithm>

namespace i2kit {

bool LineRateLimit::Admit(Clock::time_point now) {
  if (last_ != Clock::time_point{} && now > last_) {
    std::chrono::duration<double> elapsed = now - last_;
    tokens_ = std::min(burst_, tokens_ + elapsed.count() * rate_);
  }
  last_ = std::max(last_, now);
  if (tokens_ >= 1) {
    tokens_ -= 1;
    return true;
  }
  ++dropped_;
  return false;
}

uint64_t LineRateLimit::TakeDropped() {
  uint64_t dropped = dropped_;
  dropped_ = 0;
  return dropped;
}

}  // namespace i2kit
