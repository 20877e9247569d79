// The host's TSC rate. Under TCG a guest's RDTSC returns the host's TSC unscaled, so this is
// also the guest's TSC rate, which `run` tells the guest kernel (tsc_early_khz=): on microvm
// under TCG the kernel's own PIT-based calibration failed in about half of our boots, after
// which the kernel marks the TSC unstable, has no other clocksource and hangs.
#pragma once

#include <cstdint>

namespace i2kit {

// The host's TSC rate in kHz, measured against CLOCK_MONOTONIC_RAW over ~20 ms (error well
// under 0.1%); 0 where it cannot be measured (not x86-64).
int64_t MeasureHostTscKhz();

}  // namespace i2kit
