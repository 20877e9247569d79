// Standard base64 with padding (RFC 4648 §4): how Kubernetes carries Secret and binaryData
// bytes, how the Pod spec carries ConfigMap bytes in JSON, and how EBS carries checksums.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace i2kit {

std::string Base64Encode(std::string_view bytes);

// Strict: the length is a multiple of 4, padding only at the end, no other characters
// (Kubernetes refuses anything else in a Secret's data). Empty when `text` is not base64.
std::optional<std::string> Base64Decode(std::string_view text);

}  // namespace i2kit
