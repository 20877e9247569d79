// How big and how patient a Deployment's instances are: the default instance type from the
// containers' resource requests, and the health-check grace period from their probes.
#pragma once

#include <string>

#include "common/pod_model.h"
#include "common/status.h"

namespace i2kit::cfn {

// The Pod VM's own memory beside its containers (kernel, agent, runc): the i2kit paper
// measured 78 MB per Pod VM; the rest is headroom.
inline constexpr int64_t kPodVmOverheadBytes = int64_t{128} << 20;

// Seconds an EC2 instance takes to boot to the agent (the i2kit paper measured about one
// minute), before any probe can pass.
inline constexpr int kInstanceBootSeconds = 60;

// The smallest x86-64 instance type whose vCPUs and memory hold the sum of `d`'s container
// requests (limits where a container requests nothing) plus kPodVmOverheadBytes; an error
// naming the Deployment and its totals when even the largest in the table is too small.
Result<std::string> DefaultInstanceType(const Deployment& d);

// Boot time plus the longest any container may take to become ready: its startup probe's
// whole budget (initial delay + period x failure threshold), then its readiness probe's
// first passes (initial delay + period x success threshold), plus minReadySeconds.
int HealthCheckGraceSeconds(const Deployment& d);

}  // namespace i2kit::cfn
