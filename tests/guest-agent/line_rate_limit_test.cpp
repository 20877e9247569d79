#include "guest-agent/line_rate_limit.h"

#include <gtest/gtest.h>

namespace i2kit {
namespace {

using std::chrono::milliseconds;

TEST(LineRateLimitTest, TakesABurstThenTheRateAndCountsTheRest) {
  LineRateLimit limit(/*per_second=*/10, /*burst=*/5);
  LineRateLimit::Clock::time_point t0{std::chrono::seconds(100)};
  int admitted = 0;
  for (int i = 0; i < 20; ++i) admitted += limit.Admit(t0) ? 1 : 0;
  EXPECT_EQ(admitted, 5);
  EXPECT_EQ(limit.TakeDropped(), 15u);
  EXPECT_EQ(limit.TakeDropped(), 0u);
  // Half a second later: five more lines' worth.
  admitted = 0;
  for (int i = 0; i < 20; ++i) admitted += limit.Admit(t0 + milliseconds(500)) ? 1 : 0;
  EXPECT_EQ(admitted, 5);
  // A long pause refills only up to the burst.
  admitted = 0;
  for (int i = 0; i < 20; ++i) admitted += limit.Admit(t0 + milliseconds(60'000)) ? 1 : 0;
  EXPECT_EQ(admitted, 5);
}

}  // namespace
}  // namespace i2kit
