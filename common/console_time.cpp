#include "common/console_time.h"

#include <time.h>

#include <cstdio>

namespace i2kit {
namespace {

// `count` decimal digits at text[at]; -1 if any is not one.
int Digits(std::string_view text, size_t at, size_t count) {
  if (at + count > text.size()) return -1;
  int value = 0;
  for (size_t i = at; i < at + count; ++i) {
    if (text[i] < '0' || text[i] > '9') return -1;
    value = value * 10 + (text[i] - '0');
  }
  return value;
}

}  // namespace

std::string FormatUtcMillis(WallTime time) {
  auto since_epoch = std::chrono::duration_cast<std::chrono::milliseconds>(time.time_since_epoch());
  time_t seconds = static_cast<time_t>(since_epoch.count() / 1000);
  int millis = static_cast<int>(since_epoch.count() % 1000);
  if (millis < 0) {
    --seconds;
    millis += 1000;
  }
  struct tm utc {};
  gmtime_r(&seconds, &utc);
  char text[40];
  std::snprintf(text, sizeof text, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ",
                (utc.tm_year + 1900) % 10000, utc.tm_mon + 1, utc.tm_mday, utc.tm_hour, utc.tm_min,
                utc.tm_sec, millis);
  return text;
}

std::string FormatConsoleTime(WallTime time) {
  return FormatUtcMillis(time) + " ";
}

std::optional<WallTime> ParseUtcTime(std::string_view text) {
  // YYYY-MM-DDTHH:MM:SS
  if (text.size() < 20 || text[4] != '-' || text[7] != '-' || text[10] != 'T' || text[13] != ':' ||
      text[16] != ':' || text.back() != 'Z') {
    return std::nullopt;
  }
  struct tm utc {};
  int year = Digits(text, 0, 4), month = Digits(text, 5, 2), day = Digits(text, 8, 2);
  int hour = Digits(text, 11, 2), minute = Digits(text, 14, 2), second = Digits(text, 17, 2);
  if (year < 1970 || month < 1 || month > 12 || day < 1 || day > 31 || hour < 0 || hour > 23 ||
      minute < 0 || minute > 59 || second < 0 || second > 60) {
    return std::nullopt;
  }
  std::chrono::nanoseconds fraction{0};
  std::string_view rest = text.substr(19, text.size() - 20);  // between the seconds and the Z
  if (!rest.empty()) {
    if (rest[0] != '.' || rest.size() < 2 || rest.size() > 10) return std::nullopt;
    int digits = static_cast<int>(rest.size() - 1);
    int value = Digits(rest, 1, static_cast<size_t>(digits));
    if (value < 0) return std::nullopt;
    for (int i = digits; i < 9; ++i) value *= 10;
    fraction = std::chrono::nanoseconds(value);
  }
  utc.tm_year = year - 1900;
  utc.tm_mon = month - 1;
  utc.tm_mday = day;
  utc.tm_hour = hour;
  utc.tm_min = minute;
  utc.tm_sec = second;
  time_t seconds = timegm(&utc);
  struct tm back {};
  gmtime_r(&seconds, &back);
  if (back.tm_mday != day) return std::nullopt;  // February 30th and the like
  return WallTime(
      std::chrono::duration_cast<WallTime::duration>(std::chrono::seconds(seconds) + fraction));
}

std::optional<WallTime> ConsoleTimeOf(std::string_view line) {
  if (line.size() < kConsoleTimeLength || line[kConsoleTimeLength - 1] != ' ' ||
      line[kConsoleTimeLength - 6] != '.') {
    return std::nullopt;
  }
  return ParseUtcTime(line.substr(0, kConsoleTimeLength - 1));
}

std::string_view WithoutConsoleTime(std::string_view line) {
  return ConsoleTimeOf(line) ? line.substr(kConsoleTimeLength) : line;
}

}  // namespace i2kit
