// The gRPC health client against a real gRPC server: Debian's grpcio (grpc_health_server.py),
// which is gRPC's C core underneath, as Go's and Java's servers speak the same HTTP/2.
#include "guest-agent/grpc_health_check.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include "guest-agent/container_runtime.h"

namespace i2kit {
namespace {

constexpr const char* kPython = "/usr/bin/python3";

class GrpcHealthCheckTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (::access(kPython, X_OK) != 0) GTEST_SKIP() << "no " << kPython;
    std::string port_file =
        ::testing::TempDir() + "/grpc-health-port-" + std::to_string(::getpid());
    std::filesystem::remove(port_file);
    Result<pid_t> pid = SpawnProcess(
        {kPython, std::string(I2KIT_SOURCE_DIR) + "/tests/guest-agent/grpc_health_server.py",
         port_file},
        -1, -1, 2);
    ASSERT_TRUE(pid.ok()) << pid.status().message();
    server_ = *pid;
    // The port, once it serves.
    for (int i = 0; i < 200 && !std::filesystem::exists(port_file); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    std::ifstream(port_file) >> port_;
    std::filesystem::remove(port_file);
    ASSERT_GT(port_, 0) << "the server did not start (python3-grpcio installed?)";
  }
  void TearDown() override {
    if (server_ > 0) {
      ::kill(server_, SIGKILL);
      ::waitpid(server_, nullptr, 0);
    }
  }
  Probe GrpcProbe(const std::string& service, int port = 0) const {
    Probe probe;
    probe.action = ProbeAction::kGrpc;
    probe.port = port ? port : port_;
    probe.grpc_service = service;
    probe.timeout_seconds = 1;
    return probe;
  }
  pid_t server_ = -1;
  int port_ = 0;
};

TEST_F(GrpcHealthCheckTest, TheServerAsAWholeIsServing) {
  Result<GrpcServingStatus> status = QueryGrpcHealth(GrpcProbe(""));
  ASSERT_TRUE(status.ok()) << status.status().message();
  EXPECT_EQ(*status, GrpcServingStatus::kServing);
  EXPECT_TRUE(CheckGrpcHealth(GrpcProbe("")).ok());
}

TEST_F(GrpcHealthCheckTest, ANamedServiceIsServing) {
  Status s = CheckGrpcHealth(GrpcProbe("cart"));
  EXPECT_TRUE(s.ok()) << s.message();
}

TEST_F(GrpcHealthCheckTest, NotServingIsAFailure) {
  Result<GrpcServingStatus> status = QueryGrpcHealth(GrpcProbe("down"));
  ASSERT_TRUE(status.ok()) << status.status().message();
  EXPECT_EQ(*status, GrpcServingStatus::kNotServing);
  Status s = CheckGrpcHealth(GrpcProbe("down"));
  EXPECT_EQ(s.message(), "the service is NOT_SERVING");
}

TEST_F(GrpcHealthCheckTest, AnUnknownServiceIsAFailure) {
  Status s = CheckGrpcHealth(GrpcProbe("no-such-service"));
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("without a response"), std::string::npos) << s.message();
}

TEST_F(GrpcHealthCheckTest, AnAnswerLaterThanTheTimeoutIsAFailure) {
  auto start = std::chrono::steady_clock::now();
  Status s = CheckGrpcHealth(GrpcProbe("slow"));
  EXPECT_EQ(s.message(), "no answer within the timeout");
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(2500));
}

// A port that speaks HTTP/1.1: it answers the preface with an error and closes.
TEST_F(GrpcHealthCheckTest, APortThatIsNotGrpcIsAFailure) {
  int listener = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(listener, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  ASSERT_EQ(::listen(listener, 1), 0);
  socklen_t len = sizeof addr;
  ::getsockname(listener, reinterpret_cast<sockaddr*>(&addr), &len);
  std::thread http([listener] {
    int fd = ::accept(listener, nullptr, nullptr);
    char buffer[256];
    (void)::recv(fd, buffer, sizeof buffer, 0);
    const std::string answer = "HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n";
    (void)::send(fd, answer.data(), answer.size(), MSG_NOSIGNAL);
    ::close(fd);
  });
  Status s = CheckGrpcHealth(GrpcProbe("", ntohs(addr.sin_port)));
  http.join();
  ::close(listener);
  EXPECT_FALSE(s.ok());
}

TEST_F(GrpcHealthCheckTest, AClosedPortIsAFailure) {
  Status s = CheckGrpcHealth(GrpcProbe("", 1));
  EXPECT_EQ(s.message(), "cannot connect to 127.0.0.1:1");
}

}  // namespace
}  // namespace i2kit
