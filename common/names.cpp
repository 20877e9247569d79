#include "common/names.h"

#include <cctype>

namespace i2kit {
namespace {

bool IsLowerAlnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}
bool IsAlnum(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0;
}

// Label-key names and values share one rule.
std::string CheckQualifiedNamePart(std::string_view s, std::string_view what) {
  if (s.empty()) return std::string(what) + " is empty";
  if (s.size() > 63) return std::string(what) + " is longer than 63 characters";
  if (!IsAlnum(s.front()) || !IsAlnum(s.back())) {
    return std::string(what) + " must start and end with a letter or digit";
  }
  for (char c : s) {
    if (!IsAlnum(c) && c != '-' && c != '_' && c != '.') {
      return std::string(what) + " may contain only letters, digits, '-', '_' and '.'";
    }
  }
  return {};
}

}  // namespace

std::string CheckDns1123Label(std::string_view s) {
  if (s.empty()) return "it is empty";
  if (s.size() > 63) return "it is longer than 63 characters";
  for (char c : s) {
    if (!IsLowerAlnum(c) && c != '-')
      return "it may contain only lower-case letters, digits and '-'";
  }
  if (s.front() == '-' || s.back() == '-') return "it must start and end with a letter or digit";
  return {};
}

std::string CheckDns1123Subdomain(std::string_view s) {
  if (s.empty()) return "it is empty";
  if (s.size() > 253) return "it is longer than 253 characters";
  size_t start = 0;
  while (true) {
    size_t dot = s.find('.', start);
    std::string_view label = s.substr(start, dot == std::string_view::npos ? dot : dot - start);
    if (label.empty()) return "it has an empty part between dots";
    for (char c : label) {
      if (!IsLowerAlnum(c) && c != '-')
        return "it may contain only lower-case letters, digits, '-' and '.'";
    }
    if (label.front() == '-' || label.back() == '-')
      return "each part must start and end with a letter or digit";
    if (dot == std::string_view::npos) return {};
    start = dot + 1;
  }
}

std::string CheckConfigKey(std::string_view s) {
  if (s.empty()) return "it is empty";
  if (s.size() > 253) return "it is longer than 253 characters";
  for (char c : s) {
    if (!IsAlnum(c) && c != '-' && c != '_' && c != '.')
      return "it may contain only letters, digits, '-', '_' and '.'";
  }
  if (s == "." || s == "..") return "it must not be '.' or '..'";
  if (s.starts_with("..")) return "it must not start with '..'";
  return {};
}

std::string CheckDns1035Label(std::string_view s) {
  std::string why = CheckDns1123Label(s);
  if (!why.empty()) return why;
  if (!(s.front() >= 'a' && s.front() <= 'z')) return "it must start with a letter";
  return {};
}

std::string CheckPortName(std::string_view s) {
  if (s.empty()) return "it is empty";
  if (s.size() > 15) return "it is longer than 15 characters";
  bool has_letter = false;
  for (char c : s) {
    if (!IsLowerAlnum(c) && c != '-')
      return "it may contain only lower-case letters, digits and '-'";
    if (c >= 'a' && c <= 'z') has_letter = true;
  }
  if (!has_letter) return "it must contain at least one letter";
  if (s.front() == '-' || s.back() == '-') return "it must not start or end with '-'";
  if (s.find("--") != std::string_view::npos) return "it must not contain \"--\"";
  return {};
}

std::string CheckLabelKey(std::string_view s) {
  size_t slash = s.find('/');
  if (slash != std::string_view::npos) {
    std::string_view prefix = s.substr(0, slash);
    if (prefix.empty() || prefix.size() > 253) return "its prefix must be 1-253 characters";
    size_t start = 0;
    while (true) {
      size_t dot = prefix.find('.', start);
      std::string_view part =
          prefix.substr(start, dot == std::string_view::npos ? dot : dot - start);
      if (!CheckDns1123Label(part).empty()) return "its prefix must be a DNS subdomain";
      if (dot == std::string_view::npos) break;
      start = dot + 1;
    }
    s = s.substr(slash + 1);
  }
  return CheckQualifiedNamePart(s, "its name");
}

std::string CheckLabelValue(std::string_view s) {
  if (s.empty()) return {};
  return CheckQualifiedNamePart(s, "it");
}

std::string CheckEnvVarName(std::string_view s) {
  if (s.empty()) return "it is empty";
  for (char c : s) {
    if (c == '=') return "it must not contain '='";
    if (std::iscntrl(static_cast<unsigned char>(c)))
      return "it must not contain control characters";
  }
  return {};
}

}  // namespace i2kit
