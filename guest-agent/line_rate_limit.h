// How many lines of one container's output the agent takes in per second (a token bucket):
// `burst` lines at once, then `per_second`. Lines beyond it are counted, not kept, so that one
// chatty container can neither flood the console nor push every other line out of the log
// buffer. Pure: the caller passes the time.
#pragma once

#include <chrono>
#include <cstdint>

namespace i2kit {

class LineRateLimit {
 public:
  using Clock = std::chrono::steady_clock;
  LineRateLimit(double per_second, double burst)
      : rate_(per_second), burst_(burst), tokens_(burst) {}

  // True when a line arriving at `now` is taken in; false (and counted) when over the limit.
  bool Admit(Clock::time_point now);
  // The lines refused since the last call.
  uint64_t TakeDropped();
  double per_second() const { return rate_; }

 private:
  double rate_;
  double burst_;
  double tokens_;
  Clock::time_point last_{};
  uint64_t dropped_ = 0;
};

}  // namespace i2kit
