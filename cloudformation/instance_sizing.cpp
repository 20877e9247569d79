#include "cloudformation/instance_sizing.h"

#include <algorithm>
#include <array>

namespace i2kit::cfn {
namespace {

struct InstanceSize {
  const char* name;
  int64_t cpu_millis;
  int64_t memory_bytes;
};

constexpr int64_t kGiB = int64_t{1} << 30;

// General-purpose x86-64 types, smallest first; burstable t3 while a few vCPUs suffice.
constexpr std::array<InstanceSize, 9> kInstanceSizes = {{
    {"t3.nano", 2000, kGiB / 2},
    {"t3.micro", 2000, kGiB},
    {"t3.small", 2000, 2 * kGiB},
    {"t3.medium", 2000, 4 * kGiB},
    {"t3.large", 2000, 8 * kGiB},
    {"t3.xlarge", 4000, 16 * kGiB},
    {"t3.2xlarge", 8000, 32 * kGiB},
    {"m6i.4xlarge", 16000, 64 * kGiB},
    {"m6i.8xlarge", 32000, 128 * kGiB},
}};

int64_t Requested(const std::optional<int64_t>& request, const std::optional<int64_t>& limit) {
  return request.value_or(limit.value_or(0));
}

int ProbeSeconds(const std::optional<Probe>& probe, int Probe::*threshold) {
  if (!probe) return 0;
  return probe->initial_delay_seconds + probe->period_seconds * ((*probe).*threshold);
}

}  // namespace

Result<std::string> DefaultInstanceType(const Deployment& d) {
  int64_t cpu_millis = 0;
  int64_t memory_bytes = kPodVmOverheadBytes;
  for (const Container& c : d.containers) {
    cpu_millis += Requested(c.resources.requests.cpu_millis, c.resources.limits.cpu_millis);
    memory_bytes += Requested(c.resources.requests.memory_bytes, c.resources.limits.memory_bytes);
  }
  for (const InstanceSize& size : kInstanceSizes) {
    if (cpu_millis <= size.cpu_millis && memory_bytes <= size.memory_bytes)
      return std::string(size.name);
  }
  return Status::Error("deployment " + d.name + " requests " + std::to_string(cpu_millis) +
                       "m CPU and " + std::to_string(memory_bytes >> 20) +
                       " MiB with the Pod VM, more than the largest default instance type (" +
                       kInstanceSizes.back().name +
                       "); name one with instance_type or "
                       "--instance-type");
}

int HealthCheckGraceSeconds(const Deployment& d) {
  int slowest = 0;
  for (const Container& c : d.containers) {
    int ready = ProbeSeconds(c.startup_probe, &Probe::failure_threshold) +
                ProbeSeconds(c.readiness_probe, &Probe::success_threshold);
    slowest = std::max(slowest, ready);
  }
  return kInstanceBootSeconds + slowest + d.min_ready_seconds;
}

}  // namespace i2kit::cfn
