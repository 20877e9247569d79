// The host ports a local Pod VM takes.
#include "local-vm/local_ports.h"

#include <gtest/gtest.h>

#include <string>

#include "loopback_listener.h"

namespace i2kit {
namespace {

TEST(LocalPortsTest, APortInUseIsReportedWithErrno) {
  Result<int> port = PickFreeLocalPort();
  ASSERT_TRUE(port.ok());
  EXPECT_TRUE(CheckLocalPortFree(*port, Protocol::kTcp).ok());
  UniqueFd listener = ListenOnLoopback(*port);
  ASSERT_TRUE(listener.valid());
  Status s = CheckLocalPortFree(*port, Protocol::kTcp);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("host port " + std::to_string(*port)), std::string::npos);
  EXPECT_NE(s.message().find("EADDRINUSE"), std::string::npos) << s.message();
}

}  // namespace
}  // namespace i2kit
