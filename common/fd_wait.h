// Waiting on one descriptor until a deadline: what every blocking-with-timeout socket exchange
// here needs (the host's agent checks, the agent's metadata client).
#pragma once

#include <chrono>

namespace i2kit {

// Waits until `fd` has one of `events` (poll(2) flags) or `deadline` passes, retrying on EINTR;
// false on timeout or error.
bool WaitForFd(int fd, short events, std::chrono::steady_clock::time_point deadline);

}  // namespace i2kit
