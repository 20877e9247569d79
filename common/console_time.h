// The time at the start of each line the guest agent and the EC2 reporter write to the serial
// console, "2026-12-07T13:50:01.123Z " (UTC, milliseconds): it lets the host order several
// replicas' lines and pick lines by time (`logs --since`, `--timestamps`), as kubectl does with
// the times the kubelet records. The kernel's own lines carry none.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace i2kit {

using WallTime = std::chrono::system_clock::time_point;

// "YYYY-MM-DDTHH:MM:SS.mmmZ" for `time` (RFC 3339 in UTC, milliseconds).
std::string FormatUtcMillis(WallTime time);
// FormatUtcMillis and a space: what starts a console line.
std::string FormatConsoleTime(WallTime time);
inline constexpr size_t kConsoleTimeLength = 25;  // what FormatConsoleTime returns

// "YYYY-MM-DDTHH:MM:SS[.fraction]Z" (RFC 3339 in UTC) as the whole of `text`; nullopt when it is
// not one, or names no real date.
std::optional<WallTime> ParseUtcTime(std::string_view text);

// The time a console line starts with (exactly as FormatConsoleTime writes it), if any.
std::optional<WallTime> ConsoleTimeOf(std::string_view line);
// `line` without its time, if it has one.
std::string_view WithoutConsoleTime(std::string_view line);

}  // namespace i2kit
