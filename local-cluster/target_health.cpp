#include "local-cluster/target_health.h"

#include <string>

namespace i2kit {

Status ValidateHealthCheckSettings(const HealthCheckSettings& settings) {
  if (settings.interval.count() <= 0) {
    return Status::Error("health check interval must be positive, got " +
                         std::to_string(settings.interval.count()) + " ms");
  }
  if (settings.timeout.count() <= 0 || settings.timeout > settings.interval) {
    return Status::Error("health check timeout must be positive and at most the interval (" +
                         std::to_string(settings.interval.count()) + " ms), got " +
                         std::to_string(settings.timeout.count()) + " ms");
  }
  for (auto [name, value] : {std::pair{"healthy", settings.healthy_threshold},
                             std::pair{"unhealthy", settings.unhealthy_threshold}}) {
    if (value < 1 || value > 10) {
      return Status::Error(std::string(name) + " threshold must be from 1 to 10, got " +
                           std::to_string(value));
    }
  }
  return Status::Ok();
}

std::string_view TargetStateName(TargetState state) {
  switch (state) {
    case TargetState::kInitial:
      return "initial";
    case TargetState::kHealthy:
      return "healthy";
    case TargetState::kUnhealthy:
      return "unhealthy";
    case TargetState::kDraining:
      return "draining";
    case TargetState::kGone:
      return "gone";
  }
  return "unknown";
}

TargetHealth::TargetHealth(HealthCheckSettings settings, Clock::time_point registered)
    : settings_(settings),
      registered_(registered),
      silent_since_(registered),
      last_result_(registered) {}

bool TargetHealth::Record(CheckResult result, Clock::time_point at) {
  if (state_ == TargetState::kDraining || state_ == TargetState::kGone) return false;
  if (any_result_ && at < last_result_) return false;
  any_result_ = true;
  last_result_ = at;
  TargetState before = state_;
  if (result == CheckResult::kSuccess) {
    silent_since_ = at;
    ++successes_;
    failures_ = 0;
    if (state_ != TargetState::kHealthy && successes_ >= settings_.healthy_threshold) {
      state_ = TargetState::kHealthy;
    }
  } else {
    ++failures_;
    successes_ = 0;
    // A target that never became healthy is unhealthy after as many failures as a healthy
    // one (ELB moves "initial" targets the same way), so a replica that never starts shows.
    if (state_ != TargetState::kUnhealthy && failures_ >= settings_.unhealthy_threshold) {
      state_ = TargetState::kUnhealthy;
    }
  }
  return state_ != before;
}

TargetHealth::Clock::time_point TargetHealth::NextCheckDue() const {
  if (state_ == TargetState::kDraining || state_ == TargetState::kGone) {
    return Clock::time_point::max();
  }
  return any_result_ ? last_result_ + settings_.interval : registered_;
}

bool TargetHealth::SilentFor(int intervals, Clock::time_point now) const {
  return now - silent_since_ >= intervals * settings_.interval;
}

void TargetHealth::Deregister() {
  if (state_ != TargetState::kGone) state_ = TargetState::kDraining;
}

void TargetHealth::MarkGone() {
  if (state_ == TargetState::kDraining) state_ = TargetState::kGone;
}

}  // namespace i2kit
