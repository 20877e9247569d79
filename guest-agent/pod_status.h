// What the agent knows about its Pod at a moment: each container's state, readiness and
// restarts, the guest's memory, and how confined the agent itself is. The supervisor fills it; the
// health endpoint shows it.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace i2kit {

enum class ContainerState { kWaiting, kRunning, kBackOff, kTerminated };
const char* ContainerStateName(ContainerState s);

// One probe of a container as last run: which (readiness, liveness, startup), how
// (ProbeActionName: httpGet, tcpSocket, exec, grpc) and its consecutive results.
struct ProbeStatus {
  std::string type;
  std::string action;
  int successes = 0;
  int failures = 0;
};

struct ContainerStatus {
  std::string name;
  ContainerState state = ContainerState::kWaiting;
  bool started = false;  // the startup probe passed (or there is none)
  bool ready = false;    // the readiness probe passes (or there is none) while running
  int restarts = 0;
  std::optional<int> last_exit_code;  // 128 + signal for a container killed by a signal
  std::string reason;                 // why it is not running: "CrashLoopBackOff", …
  int64_t started_at_unix = 0;
  std::vector<ProbeStatus> probes;
  bool sidecar = false;  // an init container with restartPolicy: Always
};

// The guest's memory from /proc/meminfo, in bytes: MemTotal and MemAvailable, and where the
// memory that is not available goes.
struct MemoryUsage {
  int64_t total_bytes = 0;
  int64_t available_bytes = 0;
  int64_t shmem_bytes = 0;               // Shmem: tmpfs, the initramfs, memfds
  int64_t slab_unreclaimable_bytes = 0;  // SUnreclaim
  int64_t vmalloc_bytes = 0;             // VmallocUsed
  // MemTotal less every counter that names pages (MemFree, Buffers, Cached, AnonPages, Slab,
  // KernelStack, PageTables, VmallocUsed, Percpu): what drivers and the kernel took straight
  // from the page allocator. Approximate: Percpu also counts its first chunk, which is not
  // part of MemTotal.
  int64_t uncounted_bytes = 0;
  int64_t used_bytes() const { return total_bytes - available_bytes; }
};

// Parses the text of /proc/meminfo; fails when MemTotal or MemAvailable is missing (the other
// fields are 0 when absent).
Result<MemoryUsage> ParseMeminfo(std::string_view text);

// The guest's CPU time from /proc/stat's first line, in clock ticks: busy (user, nice, system,
// irq, softirq, steal) and all of it (idle and iowait too).
struct CpuTimes {
  int64_t busy_ticks = 0;
  int64_t total_ticks = 0;
};

// Parses the text of /proc/stat; fails when its "cpu " line is missing or short.
Result<CpuTimes> ParseProcStat(std::string_view text);

// The share of the guest's CPUs busy between two readings, in percent of one CPU (top's
// convention: 200 = two CPUs busy), given how many CPUs there are; nullopt when no time passed.
std::optional<double> CpuPercent(const CpuTimes& before, const CpuTimes& after, int cpus);

// The agent's own confinement as the kernel reports it in /proc/self/status.
struct AgentConfinement {
  std::string cap_bnd;  // CapBnd: the bounding set, 16 hex digits
  int seccomp = 0;      // Seccomp: 0 none, 1 strict, 2 filter
  bool no_new_privs = false;
};

// Parses the text of /proc/PID/status; fails when CapBnd, NoNewPrivs or Seccomp is missing
// (the kernel prints Seccomp only when built with CONFIG_SECCOMP).
Result<AgentConfinement> ParseAgentConfinement(std::string_view proc_status);

// The guest's two clocks at one moment, in seconds: CLOCK_BOOTTIME (from the kernel's start,
// as its console timestamps count) and CLOCK_REALTIME (the guest's wall clock).
struct GuestClock {
  double boottime = 0;
  double realtime = 0;
};
GuestClock ReadGuestClock();

// The guest's clocks as this program started: read by a static initializer, before main, so in
// PID 1 when the kernel ran /init. (/proc/1/stat's start time is not that: it counts from the
// kernel thread that later execs /init, ~0.6 s earlier.)
GuestClock ProgramStartClock();

// When a boot phase ended, on the guest's clocks: the agent's side of the boot timeline the
// host merges with its own (local-vm/boot_timeline.h). Phases: "kernel-started" (the zero of
// CLOCK_BOOTTIME and of the kernel's console timestamps, just after its decompressor; the Pod
// VM boots `quiet`, so no console line marks it), "init" (the agent started as
// /init), pod_vm::kPhaseBootIdentity, "agent-ready" (set-up done, the health endpoint listening),
// per container "container-runc:NAME" (the runtime asked to run it), "container-started:NAME" (its
// process runs), "container-ready:NAME", and "pod-ready".
struct BootMark {
  std::string phase;
  GuestClock at;
};

struct PodStatus {
  std::string pod;  // the deployment's name
  int replica = 0;
  std::vector<ContainerStatus> init_containers;  // init containers and sidecars, in order
  std::vector<ContainerStatus> containers;
  MemoryUsage memory;
  std::optional<double> cpu_percent;      // over the last few seconds; unset until measured
  std::optional<AgentConfinement> agent;  // unset until read
  bool shutting_down = false;
  std::vector<BootMark> boot;  // each phase's first end, in the order they ended
  GuestClock clock;            // read when the status was: maps the marks to the host's clock

  // Records the end of `phase` at `at`, unless it was recorded before: the timeline is the
  // boot's, so a container's restart does not move its marks.
  void Mark(std::string_view phase, GuestClock at);

  // Every init container completed, every sidecar and container runs and is ready, and the
  // Pod is not shutting down.
  bool Ready() const;
  // Why Ready() is false, naming the first container that holds it back ("init container
  // prepare: CrashLoopBackOff, exit code 1, 2 restarts"); empty when ready.
  std::string NotReadyReason() const;
  nlohmann::ordered_json ToJson() const;
};

}  // namespace i2kit
