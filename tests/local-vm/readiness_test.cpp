// How the host tells that a Pod VM is ready: the agent's answer to GET /readyz.
#include "local-vm/readiness.h"

#include <gtest/gtest.h>
#include <poll.h>
#include <sys/socket.h>

#include <chrono>
#include <string>
#include <thread>

#include "local-vm/local_ports.h"
#include "loopback_listener.h"

namespace i2kit {
namespace {

using std::chrono::milliseconds;

TEST(ReadinessTest, StatusCodeIsReadFromTheStatusLine) {
  EXPECT_EQ(HttpStatusCode("HTTP/1.0 200 OK\r\n"), 200);
  EXPECT_EQ(HttpStatusCode("HTTP/1.1 503 Service Unavailable\r\n"), 503);
  EXPECT_EQ(HttpStatusCode("HTTP/1.1 20"), std::nullopt);
  EXPECT_EQ(HttpStatusCode("SSH-2.0-OpenSSH\r\n"), std::nullopt);
}

TEST(ReadinessTest, NobodyListeningIsNotReady) {
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

TEST(ReadinessTest, ACheckAnsweredWith200Succeeds) {
  FakeAgent agent("HTTP/1.0 200 OK\r\n\r\nready\n");
  LocalHttpGet::Outcome outcome = RunCheck(agent.port(), milliseconds(2000));
  EXPECT_EQ(outcome.result, CheckResult::kSuccess);
  EXPECT_TRUE(outcome.answered);
}

TEST(ReadinessTest, ACheckAnsweredWith503FailsButShowsTheAgentAlive) {
  FakeAgent agent("HTTP/1.0 503 Service Unavailable\r\n\r\n");
  LocalHttpGet::Outcome outcome = RunCheck(agent.port(), milliseconds(2000));
  EXPECT_EQ(outcome.result, CheckResult::kFailure);
  EXPECT_TRUE(outcome.answered);
}

TEST(ReadinessTest, AConnectionClosedWithoutAnswerIsAFailureWithoutAnswer) {
  FakeAgent agent("");
  LocalHttpGet::Outcome outcome = RunCheck(agent.port(), milliseconds(2000));
  EXPECT_EQ(outcome.result, CheckResult::kFailure);
  EXPECT_FALSE(outcome.answered);
}

TEST(ReadinessTest, FetchReturnsTheWholeBodyOfA200Only) {
  {
    FakeAgent agent("HTTP/1.0 200 OK\r\nContent-Type: application/json\r\n\r\n{\"ready\": true}\n");
    EXPECT_EQ(FetchLocal(agent.port(), "/status", milliseconds(2000)), "{\"ready\": true}\n");
  }
  {
    FakeAgent agent("HTTP/1.0 404 Not Found\r\n\r\nno\n");
    EXPECT_EQ(FetchLocal(agent.port(), "/status", milliseconds(2000)), std::nullopt);
  }
}

TEST(ReadinessTest, AnAgentSilentPastTheDeadlineTimesOut) {
  FakeAgent agent("HTTP/1.0 200 OK\r\n\r\n", milliseconds(600));
  LocalHttpGet::Outcome outcome = RunCheck(agent.port(), milliseconds(200));
  EXPECT_EQ(outcome.result, CheckResult::kTimeout);
  EXPECT_FALSE(outcome.answered);
}

}  // namespace
}  // namespace i2kit
