// Errors of failed system calls, worded as the house style asks: the call, what it was applied
// to, and errno by name and by description: `openat("etc/x") failed: ELOOP (Too many levels…)`.
#pragma once

#include <cerrno>
#include <cstring>
#include <string>
#include <string_view>

#include "common/status.h"

namespace i2kit {

// `call` failed on `subject` with `err` (default: the current errno).
inline Status SysError(std::string_view call, std::string_view subject, int err = errno) {
  const char* name = strerrorname_np(err);
  std::string message(call);
  message += "(\"";
  message += subject;
  message += "\") failed: ";
  message += name != nullptr ? name : std::to_string(err);
  message += " (";
  message += std::strerror(err);
  message += ")";
  return Status::Error(std::move(message));
}

}  // namespace i2kit
