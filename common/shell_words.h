// Splits a command line the way a POSIX shell splits words, without expanding anything:
// the i2kit short format accepts `command: nginx -g 'daemon off;'`.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace i2kit {

// Single quotes keep everything literally; double quotes keep everything but \" \\ \$ \`;
// a backslash outside quotes escapes the next character. Fails on an unterminated quote.
Result<std::vector<std::string>> SplitShellWords(std::string_view line);

// Returns the first unquoted shell operator in `line` ("&&", "|", ";", ">", "$", …) or an
// empty string; those are not interpreted, which deserves a warning.
std::string FindUnquotedShellOperator(std::string_view line);

}  // namespace i2kit
