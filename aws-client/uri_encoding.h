// Percent-encoding as AWS signs and sends it (RFC 3986): only the unreserved characters
// A-Z a-z 0-9 - . _ ~ stay as they are, every other byte becomes %XY with upper-case hex.
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"

namespace i2kit::aws {

// Encodes every byte but the unreserved ones; with `keep_slashes`, '/' stays too (paths).
std::string UriEncode(std::string_view text, bool keep_slashes = false);

// Decodes %XY sequences ('+' stays '+': AWS treats it literally). Fails on a '%' not
// followed by two hex digits, naming the offending text.
Result<std::string> PercentDecode(std::string_view text);

}  // namespace i2kit::aws
