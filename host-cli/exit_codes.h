// The exit codes of i2kit-host, documented in the README; main maps every outcome onto one.
#pragma once

namespace i2kit {

enum class ExitCode : int {
  kOk = 0,
  kFailure = 1,  // the input is invalid or the operation failed; the reason was printed
  kUsage = 2,    // the command line itself is wrong
};

}  // namespace i2kit
