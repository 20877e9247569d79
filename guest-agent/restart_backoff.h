// Kubernetes' CrashLoopBackOff for restartPolicy Always: the first restart waits 10 s, each
// further one twice as long up to 5 minutes, and a container that ran 10 minutes without
// exiting starts over at 10 s.
#pragma once

#include <chrono>

namespace i2kit {

class RestartBackoff {
 public:
  using Seconds = std::chrono::seconds;
  static constexpr Seconds kInitial{10};
  static constexpr Seconds kMax{300};
  static constexpr Seconds kResetAfter{600};

  // The container exited after running for `ran_for`: how long to wait before restarting it.
  Seconds NextDelay(Seconds ran_for);
  // Restarts so far (what `kubectl get pods` calls RESTARTS).
  int restarts() const { return restarts_; }

 private:
  Seconds last_delay_{0};
  int restarts_ = 0;
};

}  // namespace i2kit
