// The pieces `run`, `logs` and `ps` read the VM through: the console log, the agent's HTTP
// answer, and how durations are printed.
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <thread>

#include "common/event_log.h"
#include "host-cli/host_cli_test_util.h"
#include "local-vm/console_log.h"
#include "local-vm/local_ports.h"
#include "local-vm/readiness.h"

namespace i2kit {
namespace {

using std::chrono::milliseconds;

TEST(RunConsoleLogTest, CarriageReturnsOfTheSerialConsoleAreDropped) {
  EXPECT_EQ(DropCarriageReturns("a\r\nb\r\n"), "a\nb\n");
}

TEST(RunConsoleLogTest, LastLinesCountsAFinalLineWithoutNewline) {
  EXPECT_EQ(LastLines("1\n2\n3\n", 2), (std::vector<std::string>{"2", "3"}));
  EXPECT_EQ(LastLines("1\n2\n3", 2), (std::vector<std::string>{"2", "3"}));
  EXPECT_EQ(LastLines("1\n2\n", 20), (std::vector<std::string>{"1", "2"}));
  EXPECT_TRUE(LastLines("", 20).empty());
}

TEST(RunConsoleLogTest, FollowerReturnsOnlyWhatWasAppended) {
  std::string path = ::testing::TempDir() + "i2kit-follow-" + std::to_string(::getpid());
  LogFollower follower(path);
  EXPECT_EQ(follower.ReadNew().value(), "");  // not created yet
  {
    std::ofstream out(path);
    out << "one\r\n";
  }
  EXPECT_EQ(follower.ReadNew().value(), "one\n");
  {
    std::ofstream out(path, std::ios::app);
    out << "two\r\n";
  }
  EXPECT_EQ(follower.ReadNew().value(), "two\n");
  EXPECT_EQ(follower.ReadNew().value(), "");
  EXPECT_EQ(ReadLogTail(path, 5).value(), "two\n");
  std::remove(path.c_str());
}

TEST(RunReadinessTest, StatusCodeIsReadFromTheStatusLine) {
  EXPECT_EQ(HttpStatusCode("HTTP/1.0 200 OK\r\n"), 200);
  EXPECT_EQ(HttpStatusCode("HTTP/1.1 503 Service Unavailable\r\n"), 503);
  EXPECT_EQ(HttpStatusCode("HTTP/1.1 20"), std::nullopt);
  EXPECT_EQ(HttpStatusCode("SSH-2.0-OpenSSH\r\n"), std::nullopt);
}

TEST(RunReadinessTest, NobodyListeningIsNotReady) {
  Result<int> port = PickFreeLocalPort();
  ASSERT_TRUE(port.ok());
  EXPECT_FALSE(AgentReportsReady(*port, milliseconds(300)));
}

// A one-connection HTTP "agent" on an ephemeral port: reads the request, then sends `reply`
// (nothing when empty, just closing) after `delay`.
class FakeAgent {
 public:
  FakeAgent(std::string reply, milliseconds delay = milliseconds(0)) {
    int port = PickFreeLocalPort().value();
    listener_ = ListenOnLoopback(port);
    port_ = port;
    thread_ = std::thread([this, reply, delay] {
      UniqueFd client(::accept4(listener_.get(), nullptr, nullptr, SOCK_CLOEXEC));
      char request[512];
      (void)::recv(client.get(), request, sizeof request, 0);
      std::this_thread::sleep_for(delay);
      if (!reply.empty()) (void)::send(client.get(), reply.data(), reply.size(), MSG_NOSIGNAL);
    });
  }
  ~FakeAgent() { thread_.join(); }
  int port() const { return port_; }

 private:
  UniqueFd listener_;
  int port_ = 0;
  std::thread thread_;
};

// Drives one /readyz check the way the controller's poll loop does.
LocalHttpGet::Outcome RunCheck(int port, milliseconds timeout) {
  auto deadline = LocalHttpGet::Clock::now() + timeout;
  LocalHttpGet check(port, "/readyz", deadline);
  for (;;) {
    if (auto outcome = check.Advance(LocalHttpGet::Clock::now())) return *outcome;
    pollfd p{check.fd(), check.events(), 0};
    (void)::poll(&p, 1, 50);
  }
}

TEST(RunReadinessTest, ACheckAnsweredWith200Succeeds) {
  FakeAgent agent("HTTP/1.0 200 OK\r\n\r\nready\n");
  LocalHttpGet::Outcome outcome = RunCheck(agent.port(), milliseconds(2000));
  EXPECT_EQ(outcome.result, CheckResult::kSuccess);
  EXPECT_TRUE(outcome.answered);
}

TEST(RunReadinessTest, ACheckAnsweredWith503FailsButShowsTheAgentAlive) {
  FakeAgent agent("HTTP/1.0 503 Service Unavailable\r\n\r\n");
  LocalHttpGet::Outcome outcome = RunCheck(agent.port(), milliseconds(2000));
  EXPECT_EQ(outcome.result, CheckResult::kFailure);
  EXPECT_TRUE(outcome.answered);
}

TEST(RunReadinessTest, AConnectionClosedWithoutAnswerIsAFailureWithoutAnswer) {
  FakeAgent agent("");
  LocalHttpGet::Outcome outcome = RunCheck(agent.port(), milliseconds(2000));
  EXPECT_EQ(outcome.result, CheckResult::kFailure);
  EXPECT_FALSE(outcome.answered);
}

TEST(RunReadinessTest, FetchReturnsTheWholeBodyOfA200Only) {
  {
    FakeAgent agent("HTTP/1.0 200 OK\r\nContent-Type: application/json\r\n\r\n{\"ready\": true}\n");
    EXPECT_EQ(FetchLocal(agent.port(), "/status", milliseconds(2000)), "{\"ready\": true}\n");
  }
  {
    FakeAgent agent("HTTP/1.0 404 Not Found\r\n\r\nno\n");
    EXPECT_EQ(FetchLocal(agent.port(), "/status", milliseconds(2000)), std::nullopt);
  }
}

TEST(RunReadinessTest, AnAgentSilentPastTheDeadlineTimesOut) {
  FakeAgent agent("HTTP/1.0 200 OK\r\n\r\n", milliseconds(600));
  LocalHttpGet::Outcome outcome = RunCheck(agent.port(), milliseconds(200));
  EXPECT_EQ(outcome.result, CheckResult::kTimeout);
  EXPECT_FALSE(outcome.answered);
}

TEST(RunPortsTest, APortInUseIsReportedWithErrno) {
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

TEST(RunEventLogTest, DurationsReadAsOperatorsSayThem) {
  EXPECT_EQ(FormatSeconds(milliseconds(430)), "0.4 s");
  EXPECT_EQ(FormatSeconds(milliseconds(2260)), "2.3 s");
  EXPECT_EQ(FormatSeconds(milliseconds(1960)), "2 s");
  EXPECT_EQ(FormatSeconds(milliseconds(8000)), "8 s");
  EXPECT_EQ(FormatSeconds(milliseconds(61400)), "61 s");
}

TEST(RunEventLogTest, SizesReadInMebibytes) {
  EXPECT_EQ(FormatMebibytes(0), "0.0 MiB");
  EXPECT_EQ(FormatMebibytes(512 * 1024), "0.5 MiB");
  EXPECT_EQ(FormatMebibytes(3 * 1024 * 1024 + 200 * 1024), "3.2 MiB");
}

TEST(RunEventLogTest, ProgressLinesOnlyOnATerminal) {
  std::ostringstream plain, tty;
  EventLog plain_log(plain, false), tty_log(tty, true);
  for (EventLog* log : {&plain_log, &tty_log}) {
    log->Progress("web/0 booting 1 s");
    log->Event("web/0 ready in 2 s");
  }
  EXPECT_EQ(plain.str(), "web/0 ready in 2 s\n");
  EXPECT_EQ(tty.str(), "\r\033[Kweb/0 booting 1 s\r\033[Kweb/0 ready in 2 s\n");
}

TEST(RunEventLogTest, StepsArePlainLinesOffATerminal) {
  std::ostringstream out;
  EventLog log(out, false);
  {
    StepProgress steps(log, false);
    steps.Step("web: flattening");
    steps.Event("web: warning: skipped dev/sda");
    steps.Step("web: packing");
  }
  EXPECT_EQ(out.str(), "web: flattening\nweb: warning: skipped dev/sda\nweb: packing\n");
}

TEST(RunEventLogTest, OnATerminalAStepIsRedrawnWithItsTimeUntilTheEnd) {
  std::ostringstream out;
  EventLog log(out, true);
  {
    StepProgress steps(log, true);
    steps.Step("web: flattening");
    std::this_thread::sleep_for(milliseconds(600));  // two redraws at least
    steps.Event("web: warning: skipped dev/sda");
  }
  std::string text = out.str();
  EXPECT_EQ(text.rfind("\r\033[Kweb: flattening 0 s", 0), 0u) << text;
  // Redrawn meanwhile with the time it has taken.
  EXPECT_NE(text.find("\r\033[Kweb: flattening 0.", 1), std::string::npos) << text;
  EXPECT_NE(text.find("\r\033[Kweb: warning: skipped dev/sda\n"), std::string::npos) << text;
  EXPECT_TRUE(text.ends_with("\r\033[K")) << text;  // the status line erased at the end
}

}  // namespace
}  // namespace i2kit
