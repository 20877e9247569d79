#include "local-vm/boot_timeline.h"

#include <algorithm>
#include <cstdio>

#include "common/pod_vm.h"

namespace i2kit {
namespace {

using Json = nlohmann::ordered_json;

std::string Fixed(double seconds, int decimals, bool sign = false) {
  char text[32];
  std::snprintf(text, sizeof text, sign ? "%+.*f" : "%.*f", decimals, seconds);
  return text;
}

}  // namespace

std::string HostMarksToJson(const std::vector<TimelineMark>& marks) {
  Json list = Json::array();
  for (const TimelineMark& m : marks) {
    if (m.host) list.push_back({{"phase", m.phase}, {"host", *m.host}});
  }
  return list.dump() + "\n";
}

Result<std::vector<TimelineMark>> HostMarksFromJson(std::string_view text) {
  nlohmann::json list = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!list.is_array()) return Status::Error("the host's boot marks are not a JSON array");
  std::vector<TimelineMark> marks;
  for (const nlohmann::json& item : list) {
    if (!item.is_object() || !item.contains("phase") || !item["phase"].is_string() ||
        !item.contains("host") || !item["host"].is_number()) {
      return Status::Error("a host boot mark needs a \"phase\" string and a \"host\" time");
    }
    marks.push_back({item["phase"].get<std::string>(), item["host"].get<double>(), {}, false});
  }
  return marks;
}

std::optional<GuestBoot> GuestBootFromStatus(std::string_view status_json) {
  nlohmann::json status = nlohmann::json::parse(status_json, nullptr, false);
  if (!status.is_object() || !status.contains("boot") || !status["boot"].is_object()) {
    return std::nullopt;
  }
  const nlohmann::json& boot = status["boot"];
  if (!boot.contains("boottime") || !boot["boottime"].is_number() || !boot.contains("marks") ||
      !boot["marks"].is_array()) {
    return std::nullopt;
  }
  GuestBoot guest;
  guest.boottime = boot["boottime"].get<double>();
  for (const nlohmann::json& m : boot["marks"]) {
    if (!m.is_object() || !m.contains("phase") || !m["phase"].is_string() ||
        !m.contains("boottime") || !m["boottime"].is_number()) {
      return std::nullopt;
    }
    guest.marks.push_back({m["phase"].get<std::string>(), {}, m["boottime"].get<double>(), false});
  }
  return guest;
}

std::vector<TimelineMark> MergeTimeline(const std::vector<TimelineMark>& host_marks,
                                        const std::optional<GuestBoot>& guest,
                                        double answered_host) {
  std::vector<TimelineMark> timeline = host_marks;
  // A VM restored from a snapshot carries the snapshot's boot in its marks (and its clock):
  // only those from the identity it learned after the restore on are this VM's.
  std::optional<double> restored_from;
  bool restored = std::any_of(host_marks.begin(), host_marks.end(),
                              [](const TimelineMark& m) { return m.phase == kPhaseRestoreBegan; });
  if (guest && restored) {
    for (const TimelineMark& g : guest->marks) {
      if (g.phase == pod_vm::kPhaseBootIdentity) restored_from = g.guest;
    }
  }
  if (guest) {
    for (const TimelineMark& g : guest->marks) {
      if (restored_from && g.guest && *g.guest < *restored_from) continue;
      auto same = std::find_if(timeline.begin(), timeline.end(),
                               [&](const TimelineMark& m) { return m.phase == g.phase; });
      if (same != timeline.end()) {
        same->guest = g.guest;
        continue;
      }
      TimelineMark mapped = g;
      mapped.host = answered_host - (guest->boottime - *g.guest);
      mapped.host_from_guest = true;
      timeline.push_back(mapped);
    }
  }
  std::stable_sort(timeline.begin(), timeline.end(),
                   [](const TimelineMark& a, const TimelineMark& b) {
                     if (a.host && b.host && *a.host != *b.host) return *a.host < *b.host;
                     return a.guest.value_or(0) < b.guest.value_or(0);
                   });
  return timeline;
}

Json TimelineToJson(const std::vector<TimelineMark>& timeline) {
  Json list = Json::array();
  std::optional<double> first = timeline.empty() ? std::nullopt : timeline.front().host;
  for (const TimelineMark& m : timeline) {
    auto number = [](const std::optional<double>& v) { return v ? Json(*v) : Json(nullptr); };
    list.push_back({{"phase", m.phase},
                    {"host", number(m.host)},
                    {"guest", number(m.guest)},
                    {"hostFromGuest", m.host_from_guest},
                    {"sinceStart", m.host && first ? Json(*m.host - *first) : Json(nullptr)}});
  }
  return list;
}

std::string FormatTimeline(const std::vector<TimelineMark>& timeline) {
  std::vector<std::vector<std::string>> rows = {{"PHASE", "HOST", "STEP", "GUEST"}};
  std::optional<double> first = timeline.empty() ? std::nullopt : timeline.front().host;
  std::optional<double> previous;
  for (const TimelineMark& m : timeline) {
    std::string host = "-", step = "";
    if (m.host && first) {
      host = (m.host_from_guest ? "~" : "") + Fixed(*m.host - *first, 3);
      if (previous) step = Fixed(*m.host - *previous, 3, true);
      previous = m.host;
    }
    rows.push_back({m.phase, host, step, m.guest ? Fixed(*m.guest, 3) : "-"});
  }
  std::vector<size_t> widths(4, 0);
  for (const auto& row : rows) {
    for (size_t i = 0; i < row.size(); ++i) widths[i] = std::max(widths[i], row[i].size());
  }
  std::string text;
  for (const auto& row : rows) {
    std::string line = row[0] + std::string(widths[0] - row[0].size(), ' ');
    // The times right-aligned, so that their decimal points line up.
    for (size_t i = 1; i < row.size(); ++i) {
      line += "   " + std::string(widths[i] - row[i].size(), ' ') + row[i];
    }
    text += line + "\n";
  }
  return text;
}

}  // namespace i2kit
