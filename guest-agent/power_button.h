// The ACPI power button (EC2's StopInstances, QEMU's system_powerdown) reaches a VM without
// acpid as a KEY_POWER event on an evdev device; the agent watches for it to shut down cleanly.
#pragma once

#include <vector>

#include "common/unique_fd.h"

namespace i2kit {

// Opens every /dev/input/event* device that can report KEY_POWER (non-blocking).
std::vector<UniqueFd> OpenPowerButtons();

// Reads pending events from `fd`; true when one was a KEY_POWER press.
bool PowerButtonPressed(int fd);

}  // namespace i2kit
