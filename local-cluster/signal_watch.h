// Ctrl-C, `kill` and a closed terminal, turned into readable events: while a SignalWatch lives,
// SIGINT, SIGTERM and SIGHUP are blocked and arrive on a signalfd that a verb's poll() loop
// watches, so the verb can stop its VM cleanly instead of dying with it half-started.
#pragma once

#include <signal.h>

#include <optional>

#include "common/status.h"
#include "common/unique_fd.h"

namespace i2kit {

class SignalWatch {
 public:
  static Result<SignalWatch> Create();
  SignalWatch(SignalWatch&& other) noexcept;
  SignalWatch& operator=(SignalWatch&&) = delete;
  SignalWatch(const SignalWatch&) = delete;
  SignalWatch& operator=(const SignalWatch&) = delete;
  // Restores the signal mask it found.
  ~SignalWatch();

  // Readable when a signal is pending.
  int fd() const { return fd_.get(); }
  // The pending signal's number, if any, consumed.
  std::optional<int> Take();

 private:
  SignalWatch(UniqueFd fd, sigset_t previous) : fd_(std::move(fd)), previous_(previous) {}
  UniqueFd fd_;
  sigset_t previous_;
  bool restore_ = true;
};

}  // namespace i2kit
