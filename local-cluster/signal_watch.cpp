#include "local-cluster/signal_watch.h"

#include <sys/signalfd.h>
#include <unistd.h>

#include "common/sys_error.h"

namespace i2kit {

Result<SignalWatch> SignalWatch::Create() {
  sigset_t watched, previous;
  sigemptyset(&watched);
  sigaddset(&watched, SIGINT);
  sigaddset(&watched, SIGTERM);
  sigaddset(&watched, SIGHUP);
  if (int error = ::pthread_sigmask(SIG_BLOCK, &watched, &previous); error != 0) {
    return SysError("pthread_sigmask", "SIGINT SIGTERM SIGHUP", error);
  }
  UniqueFd fd(::signalfd(-1, &watched, SFD_NONBLOCK | SFD_CLOEXEC));
  if (!fd.valid()) {
    Status failure = SysError("signalfd", "SIGINT SIGTERM SIGHUP");
    ::pthread_sigmask(SIG_SETMASK, &previous, nullptr);
    return failure;
  }
  return SignalWatch(std::move(fd), previous);
}

SignalWatch::SignalWatch(SignalWatch&& other) noexcept
    : fd_(std::move(other.fd_)), previous_(other.previous_), restore_(other.restore_) {
  other.restore_ = false;
}

SignalWatch::~SignalWatch() {
  if (restore_) ::pthread_sigmask(SIG_SETMASK, &previous_, nullptr);
}

std::optional<int> SignalWatch::Take() {
  signalfd_siginfo info{};
  if (::read(fd_.get(), &info, sizeof info) != static_cast<ssize_t>(sizeof info)) {
    return std::nullopt;
  }
  return static_cast<int>(info.ssi_signo);
}

}  // namespace i2kit
