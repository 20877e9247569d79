// The naming rules Kubernetes applies, which i2kit keeps because names become host names,
// DNS records and AWS resource names. Each returns an empty string when `s` is valid, else
// what is wrong with it.
#pragma once

#include <string>
#include <string_view>

namespace i2kit {

// RFC 1123 label: 1-63 of [a-z0-9-], starting and ending alphanumeric.
std::string CheckDns1123Label(std::string_view s);

// RFC 1035 label: a DNS-1123 label that starts with a letter (Service names).
std::string CheckDns1035Label(std::string_view s);

// RFC 1123 subdomain: 1-253 of [a-z0-9-.], dot-separated DNS-1123 labels (ConfigMap and
// Secret names).
std::string CheckDns1123Subdomain(std::string_view s);

// A ConfigMap or Secret key: 1-253 of [A-Za-z0-9-_.], not "." or "..", not starting with ".."
// (it becomes a file name in a volume).
std::string CheckConfigKey(std::string_view s);

// IANA service name (named ports): 1-15 of [a-z0-9-], a letter somewhere, no "--", no
// leading or trailing '-'.
std::string CheckPortName(std::string_view s);

// A label key: [DNS-subdomain prefix '/'] name of 1-63 [A-Za-z0-9-_.], alphanumeric at ends.
std::string CheckLabelKey(std::string_view s);

// A label value: empty, or a name as in a label key.
std::string CheckLabelValue(std::string_view s);

// An environment variable name: non-empty, printable, no '='.
std::string CheckEnvVarName(std::string_view s);

}  // namespace i2kit
