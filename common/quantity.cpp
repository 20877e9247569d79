#include "common/quantity.h"

#include <string>

namespace i2kit {
namespace {

// 128 bits hold any int64 result times 10 without overflowing, which keeps checks simple.
__extension__ using Wide = unsigned __int128;

// A non-negative quantity as digits × 10^exp10 × 2^exp2, kept exact until the final scaling.
struct Decimal {
  Wide digits = 0;
  int exp10 = 0;
  int exp2 = 0;
};

constexpr Wide kLimit = static_cast<Wide>(INT64_MAX);

Status Invalid(std::string_view text, std::string_view why) {
  return Status::Error("invalid quantity '" + std::string(text) + "': " + std::string(why));
}

Result<Decimal> ParseDecimal(std::string_view text) {
  constexpr std::string_view kForm =
      "expected a number with an optional suffix: m, k, M, G, T, P, E, Ki, Mi, Gi, Ti, Pi, Ei "
      "or e<exponent>";
  if (text.empty()) return Invalid(text, "it is empty");
  Decimal d;
  size_t i = 0;
  if (text[0] == '+') ++i;
  if (text[0] == '-') return Invalid(text, "it is negative");
  size_t digit_count = 0;
  bool seen_point = false;
  for (; i < text.size(); ++i) {
    char c = text[i];
    if (c == '.' && !seen_point) {
      seen_point = true;
      continue;
    }
    if (c < '0' || c > '9') break;
    ++digit_count;
    if (d.digits > kLimit) return Invalid(text, "it is too large");
    if (d.digits == 0 && c == '0') {
      if (seen_point) --d.exp10;
      continue;
    }
    d.digits = d.digits * 10 + static_cast<unsigned>(c - '0');
    if (seen_point) --d.exp10;
  }
  if (digit_count == 0) return Invalid(text, kForm);
  std::string_view suffix = text.substr(i);
  if (suffix.empty()) return d;
  if (suffix.size() == 2 && suffix[1] == 'i') {
    constexpr std::string_view kBinary = "KMGTPE";
    size_t pos = kBinary.find(suffix[0]);
    if (pos == std::string_view::npos) return Invalid(text, kForm);
    d.exp2 = 10 * static_cast<int>(pos + 1);
    return d;
  }
  if (suffix.size() == 1) {
    switch (suffix[0]) {
      case 'n':
        d.exp10 -= 9;
        return d;
      case 'u':
        d.exp10 -= 6;
        return d;
      case 'm':
        d.exp10 -= 3;
        return d;
      case 'k':
        d.exp10 += 3;
        return d;
      case 'M':
        d.exp10 += 6;
        return d;
      case 'G':
        d.exp10 += 9;
        return d;
      case 'T':
        d.exp10 += 12;
        return d;
      case 'P':
        d.exp10 += 15;
        return d;
      case 'E':
        d.exp10 += 18;
        return d;
      default:
        return Invalid(text, kForm);
    }
  }
  if (suffix[0] == 'e' || suffix[0] == 'E') {
    std::string_view exp = suffix.substr(1);
    bool negative = false;
    if (!exp.empty() && (exp[0] == '-' || exp[0] == '+')) {
      negative = exp[0] == '-';
      exp = exp.substr(1);
    }
    if (exp.empty() || exp.size() > 3 ||
        exp.find_first_not_of("0123456789") != std::string_view::npos) {
      return Invalid(text, kForm);
    }
    int value = std::stoi(std::string(exp));
    d.exp10 += negative ? -value : value;
    return d;
  }
  return Invalid(text, kForm);
}

// digits × 10^exp10 × 2^exp2 × scale, rounded up; fails when it does not fit in int64.
Result<int64_t> Scale(std::string_view text, Decimal d, int scale_exp10) {
  Wide value = d.digits;
  if (value == 0) return int64_t{0};
  int exp10 = d.exp10 + scale_exp10;
  for (int i = 0; i < d.exp2; ++i) {
    value *= 2;
    if (value > kLimit) return Invalid(text, "it is too large");
  }
  for (; exp10 > 0; --exp10) {
    value *= 10;
    if (value > kLimit) return Invalid(text, "it is too large");
  }
  bool inexact = false;
  for (; exp10 < 0; ++exp10) {
    if (value % 10 != 0) inexact = true;
    value /= 10;
  }
  if (inexact) value += 1;
  if (value > kLimit) return Invalid(text, "it is too large");
  return static_cast<int64_t>(value);
}

}  // namespace

Result<int64_t> ParseCpuMillis(std::string_view text) {
  Result<Decimal> d = ParseDecimal(text);
  if (!d.ok()) return d.status();
  return Scale(text, *d, 3);
}

Result<int64_t> ParseMemoryBytes(std::string_view text) {
  Result<Decimal> d = ParseDecimal(text);
  if (!d.ok()) return d.status();
  return Scale(text, *d, 0);
}

}  // namespace i2kit
