#include "local-vm/host_tsc.h"

#include <time.h>

#if defined(__x86_64__)
#include <x86intrin.h>
#endif

namespace i2kit {

int64_t MeasureHostTscKhz() {
#if defined(__x86_64__)
  timespec start{}, end{}, pause{0, 20'000'000};
  ::clock_gettime(CLOCK_MONOTONIC_RAW, &start);
  uint64_t first = __rdtsc();
  ::nanosleep(&pause, nullptr);
  ::clock_gettime(CLOCK_MONOTONIC_RAW, &end);
  uint64_t last = __rdtsc();
  int64_t ns = (end.tv_sec - start.tv_sec) * 1'000'000'000 + (end.tv_nsec - start.tv_nsec);
  if (ns <= 0 || last <= first) return 0;
  // cycles per ns × 1e6 = kHz, rounded.
  return static_cast<int64_t>((static_cast<double>(last - first) * 1e6) / static_cast<double>(ns) +
                              0.5);
#else
  return 0;
#endif
}

}  // namespace i2kit
