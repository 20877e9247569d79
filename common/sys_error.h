// The one wording of a failed system call (crun's crun_make_error), for the host and the agent
// alike: the call, what it was applied to, and errno by name and by description —
// `openat("etc/x") failed: ELOOP (Too many levels of symbolic links)`, or without a subject
// `poll failed: EINTR (Interrupted system call)`.
#pragma once

#include <cerrno>
#include <cstring>
#include <string>
#include <string_view>

#include "common/status.h"

namespace i2kit {

// The message for `call` failed on `subject` (none when empty) with `err` (default: the
// current errno).
inline std::string SysErrorMessage(std::string_view call, std::string_view subject = {},
                                   int err = errno) {
  const char* name = strerrorname_np(err);
  std::string message(call);
  if (!subject.empty()) {
    message += "(\"";
    message += subject;
    message += "\")";
  }
  message += " failed: ";
  message += name != nullptr ? name : std::to_string(err);
  message += " (";
  message += std::strerror(err);
  message += ")";
  return message;
}

// The same message as a failed Status.
inline Status SysError(std::string_view call, std::string_view subject = {}, int err = errno) {
  return Status::Error(SysErrorMessage(call, subject, err));
}

}  // namespace i2kit
