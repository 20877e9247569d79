// The health of one load-balancer target (a Pod VM replica), judged the way an AWS ELB target
// group judges it: periodic checks of the agent's GET /readyz, a healthy threshold of
// consecutive successes before it takes traffic, an unhealthy threshold of consecutive failures
// before it stops. A pure state machine: the caller runs the checks and passes each result with
// the time it arrived; nothing here reads a clock or a socket.
#pragma once

#include <chrono>
#include <string_view>

#include "common/status.h"
#include "local-vm/readiness.h"

namespace i2kit {

// ELB's defaults (30 s interval, 5 s timeout, healthy 5, unhealthy 2) take 2.5 minutes to put a
// new target in service: far too slow for a developer's `run` loop. A local agent answers
// /readyz in milliseconds, so checks every second with a 1 s timeout cost nothing; two
// successes (not one) keep a replica that answers once while still starting out of service,
// and two failures (not one) keep one lost check from dropping a replica, which the balancer's
// connect retry covers meanwhile. A new replica is in service ~1 s after it first answers; a
// dead one leaves within ~2 s.
struct HealthCheckSettings {
  std::chrono::milliseconds interval{1000};  // from one check's result to the next check
  std::chrono::milliseconds timeout{1000};   // a check without an answer by then is kTimeout
  int healthy_threshold = 2;                 // consecutive successes to enter service
  int unhealthy_threshold = 2;               // consecutive failures to leave it
};

// Fails naming the setting out of range: a positive interval, a positive timeout no longer than
// the interval (so checks of one target never overlap), thresholds from 1 to 10 (ELB's range
// starts at 2; 1 is allowed for tests and impatient users).
Status ValidateHealthCheckSettings(const HealthCheckSettings& settings);

enum class TargetState {
  kInitial,    // registered, not yet healthy: no traffic
  kHealthy,    // in service
  kUnhealthy,  // failed the unhealthy threshold: no new traffic until healthy again
  kDraining,   // deregistered: never in service again, open connections finish
  kGone,       // drained and stopped: may be forgotten
};

// "initial", "healthy", … for logs.
std::string_view TargetStateName(TargetState state);

class TargetHealth {
 public:
  using Clock = std::chrono::steady_clock;

  // A target registered at `registered`, in kInitial; its first check is due at once.
  TargetHealth(HealthCheckSettings settings, Clock::time_point registered);

  TargetState state() const { return state_; }
  // Whether the balancer may send it new connections: only when healthy.
  bool InService() const { return state_ == TargetState::kHealthy; }

  // Counts a check result that arrived at `at`; returns true if the state changed. Results
  // older than the last one counted (a slow check overtaken by a later one) are ignored, and
  // so is everything once draining.
  bool Record(CheckResult result, Clock::time_point at);

  // When the next check should start: registration for the first, else one interval after the
  // last result. Never while draining or gone (time_point::max()).
  Clock::time_point NextCheckDue() const;

  // The last successful check, or registration if none has succeeded: with `SilentFor` the
  // controller tells a hung agent (no success for many intervals) from a briefly slow one.
  Clock::time_point silent_since() const { return silent_since_; }
  // Whether no check has succeeded for at least `intervals` intervals before `now`.
  bool SilentFor(int intervals, Clock::time_point now) const;

  // Deregisters it (kDraining): out of service for good, whatever later checks say.
  void Deregister();
  // Its connections have finished and its VM has stopped (kGone). Only after Deregister.
  void MarkGone();

  int consecutive_successes() const { return successes_; }
  int consecutive_failures() const { return failures_; }

 private:
  HealthCheckSettings settings_;
  TargetState state_ = TargetState::kInitial;
  Clock::time_point registered_;
  Clock::time_point silent_since_;
  Clock::time_point last_result_;
  bool any_result_ = false;
  int successes_ = 0;
  int failures_ = 0;
};

}  // namespace i2kit
