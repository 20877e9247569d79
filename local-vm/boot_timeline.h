// A replica's boot timeline: when each phase of its start ended, on the host's clock and on the
// guest's side by side. The host records its own marks (QEMU started, the Pod's readiness
// seen, in the balancer) in the replica's state dir; the agent reports the guest's
// (guest-agent/pod_status.h, in its /status JSON, on the guest's CLOCK_BOOTTIME: the kernel
// started at its 0, /init, the agent's set-up, each container, the Pod ready). Merged, `ps -o json`
// carries the timeline and `logs --timeline` prints it. Pure: nothing here reads a clock, a file or
// a socket.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace i2kit {

// The phases the host itself sees, in the order they end.
inline constexpr const char* kPhaseQemuStarted = "qemu-started";
// Set instead of kPhaseQemuStarted by a start that restores a snapshot rather than booting.
inline constexpr const char* kPhaseRestoreBegan = "restore-began";
inline constexpr const char* kPhaseReadySeen = "pod-ready-seen";  // a /readyz check said 200
inline constexpr const char* kPhaseInBalancer = "in-balancer";    // taking new connections

// The host's marks file in the replica's state dir.
inline constexpr const char* kTimelineFile = "timeline.json";

struct TimelineMark {
  std::string phase;
  std::optional<double> host;   // host CLOCK_REALTIME, seconds since the epoch
  std::optional<double> guest;  // guest CLOCK_BOOTTIME, seconds since the kernel started
  // The host time was not seen by the host but mapped from the guest's clock.
  bool host_from_guest = false;
};

// What the agent's /status says of the boot: its marks and its clocks when it answered.
struct GuestBoot {
  std::vector<TimelineMark> marks;  // guest times only
  double boottime = 0;              // the guest's CLOCK_BOOTTIME when it answered
};

// The host's marks file: [{"phase": …, "host": seconds}, …].
std::string HostMarksToJson(const std::vector<TimelineMark>& marks);
// Fails naming what is wrong.
Result<std::vector<TimelineMark>> HostMarksFromJson(std::string_view text);

// The "boot" object of the agent's /status JSON; nullopt when it has none (an older agent).
std::optional<GuestBoot> GuestBootFromStatus(std::string_view status_json);

// One timeline from the host's marks and, if the agent answered, the guest's: a phase both
// recorded becomes one mark with both times. A
// guest-only mark gets a host time mapped through the answer (`answered_host`, when the host
// received it: the guest's clock then read `guest->boottime`), which is late by the answer's
// transit, a few milliseconds, and right only while the guest's clock runs at the host's rate
// (`run` gives the guest kernel the host's TSC rate). After kPhaseRestoreBegan, the guest's
// marks before pod_vm::kPhaseBootIdentity are the snapshot's boot, not this VM's: left out.
// Ordered by host time, then guest time.
std::vector<TimelineMark> MergeTimeline(const std::vector<TimelineMark>& host_marks,
                                        const std::optional<GuestBoot>& guest,
                                        double answered_host);

// [{"phase", "host" (epoch seconds or null), "guest" (seconds or null), "hostFromGuest",
//   "sinceStart" (seconds since the first mark, or null)}].
nlohmann::ordered_json TimelineToJson(const std::vector<TimelineMark>& timeline);

// A table: each phase, its time since the first mark on the host's clock ("~" when mapped from
// the guest's), the step from the phase before, and the guest's clock.
std::string FormatTimeline(const std::vector<TimelineMark>& timeline);

}  // namespace i2kit
