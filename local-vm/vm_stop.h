// Stopping a Pod VM: politely, then firmly. The polite way is the ACPI power button (QMP
// system_powerdown): the kernel reports it to the agent as KEY_POWER, the agent stops its
// containers within the Pod's grace period and powers off. A guest that does not react within
// the grace period is ended by QMP quit (or SIGTERM when QMP cannot be reached), then SIGKILL.
#pragma once

#include <chrono>
#include <string>

#include "common/event_log.h"
#include "common/status.h"
#include "local-vm/vm_process.h"

namespace i2kit {

struct StopTimings {
  // For the guest to power off after the power button; zero skips the button (a VM that never
  // became ready has nothing to shut down cleanly).
  std::chrono::milliseconds grace{0};
  std::chrono::milliseconds quit_wait{5000};  // for QEMU to exit after quit or SIGTERM
  std::chrono::milliseconds qmp_timeout{2000};
};

enum class StopOutcome {
  kAlreadyExited,
  kPoweredOff,  // the guest powered off after the power button
  kQuit,        // QEMU quit (QMP quit or SIGTERM) without the guest powering off
  kKilled,      // SIGKILL
};

// "powered off", "quit by QEMU", …: for event lines.
const char* StopOutcomeText(StopOutcome outcome);

// The host's grace for a Pod: its terminationGracePeriodSeconds, which the agent spends on its
// containers, plus time for the guest kernel to sync and power off.
std::chrono::milliseconds StopGrace(int termination_grace_period_seconds);

// Stops `vm` as described above, logging each escalation as an event naming `name` ("web/0").
// Fails only if the process survives SIGKILL's wait.
Result<StopOutcome> StopVm(VmProcess& vm, const std::string& qmp_socket, const StopTimings& timings,
                           const std::string& name, EventLog& log);

}  // namespace i2kit
