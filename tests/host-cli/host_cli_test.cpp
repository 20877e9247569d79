// The command table: the options every verb takes.
#include <gtest/gtest.h>

#include <string>

#include "common/event_log.h"
#include "host-cli/host_cli_test_util.h"

namespace i2kit {
namespace {

TEST(HostLogLevelTest, EveryVerbTakesTheLevelAndRefusesAnUnknownOne) {
  CliRun run = RunCli({"ps", "--log-level", "loud"});
  EXPECT_EQ(run.code, 2);
  EXPECT_NE(run.err.find("unknown log level 'loud'"), std::string::npos) << run.err;
  EXPECT_EQ(RunCli({"-v", "validate", "--help"}).code, 0);
  SetHostLogLevel(LogLevel::kInfo);
}

}  // namespace
}  // namespace i2kit
