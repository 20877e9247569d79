#include "local-vm/vm_stop.h"

#include <csignal>

#include "local-vm/qmp_client.h"

namespace i2kit {
namespace {

// Syncing and powering off a minimal guest takes well under a second even under TCG.
constexpr std::chrono::milliseconds kGuestPowerOffMargin{5000};

}  // namespace

const char* StopOutcomeText(StopOutcome outcome) {
  switch (outcome) {
    case StopOutcome::kAlreadyExited:
      return "had already exited";
    case StopOutcome::kPoweredOff:
      return "powered off";
    case StopOutcome::kQuit:
      return "quit by QEMU";
    case StopOutcome::kKilled:
      return "killed";
  }
  return "stopped";
}

std::chrono::milliseconds StopGrace(int termination_grace_period_seconds) {
  return std::chrono::seconds(std::max(0, termination_grace_period_seconds)) + kGuestPowerOffMargin;
}

Result<StopOutcome> StopVm(VmProcess& vm, const std::string& qmp_socket, const StopTimings& timings,
                           const std::string& name, EventLog& log) {
  if (vm.WaitForExit(std::chrono::milliseconds(0))) return StopOutcome::kAlreadyExited;
  if (timings.grace.count() > 0) {
    Status pressed = QmpExecute(qmp_socket, "system_powerdown", timings.qmp_timeout);
    if (pressed.ok()) {
      log.Event(name + " power button pressed; the guest has " + FormatSeconds(timings.grace) +
                " to power off");
      if (vm.WaitForExit(timings.grace)) return StopOutcome::kPoweredOff;
      log.Event(name + " did not power off within " + FormatSeconds(timings.grace) +
                "; quitting QEMU");
    } else {
      log.Event(name + " power button unavailable (" + pressed.message() + "); quitting QEMU");
    }
  }
  Status quit = QmpExecute(qmp_socket, "quit", timings.qmp_timeout);
  if (!quit.ok()) {
    // QEMU treats SIGTERM as quit too.
    if (Status s = vm.Signal(SIGTERM); !s.ok()) log.Event(name + " " + s.message());
  }
  if (vm.WaitForExit(timings.quit_wait)) return StopOutcome::kQuit;
  log.Event(name + " QEMU did not exit within " + FormatSeconds(timings.quit_wait) +
            "; sending SIGKILL");
  if (Status s = vm.Signal(SIGKILL); !s.ok()) return s;
  if (vm.WaitForExit(timings.quit_wait)) return StopOutcome::kKilled;
  return Status::Error(name + ": QEMU pid " + std::to_string(vm.pid()) + " survived SIGKILL");
}

}  // namespace i2kit
