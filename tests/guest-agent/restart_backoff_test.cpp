#include "guest-agent/restart_backoff.h"

#include <gtest/gtest.h>

namespace i2kit {
namespace {

using std::chrono::seconds;

TEST(RestartBackoffTest, DoublesFromTenSecondsToFiveMinutes) {
  RestartBackoff backoff;
  std::vector<long> delays;
  for (int i = 0; i < 8; ++i) delays.push_back(backoff.NextDelay(seconds(1)).count());
  EXPECT_EQ(delays, (std::vector<long>{10, 20, 40, 80, 160, 300, 300, 300}));
  EXPECT_EQ(backoff.restarts(), 8);
}

TEST(RestartBackoffTest, StartsOverAfterTenMinutesOfRunning) {
  RestartBackoff backoff;
  backoff.NextDelay(seconds(1));
  backoff.NextDelay(seconds(1));
  EXPECT_EQ(backoff.NextDelay(seconds(599)).count(), 40);
  EXPECT_EQ(backoff.NextDelay(seconds(600)).count(), 10);
  EXPECT_EQ(backoff.restarts(), 4);
}

}  // namespace
}  // namespace i2kit
