// The exec server as `i2kit-host exec` meets it, with a stand-in for runc that runs the command
// after "--" and the container's name: the request, the key check, stdin, output and the exit
// code through the framed stream.
#include "guest-agent/exec_server.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>

#include "common/unique_fd.h"
#include "guest-agent/test_temp_dir.h"

namespace i2kit {
namespace {

TEST(ExecServerTest, RuncGetsOnlyTheCommandTheTerminalFlagAndTerm) {
  ExecRequest request{"k", "web", {"sh", "-c", "id"}, true, {"TERM=xterm"}};
  Result<std::vector<std::string>> argv = RuncExecArgv("/usr/bin/runc", "/run/runc", request);
  ASSERT_TRUE(argv.ok()) << argv.status().message();
  EXPECT_EQ(*argv,
            (std::vector<std::string>{"/usr/bin/runc", "--root", "/run/runc", "exec", "--tty",
                                      "--env", "TERM=xterm", "--", "web", "sh", "-c", "id"}));
}

TEST(ExecServerTest, RefusesAContainerNameThatCouldBeAFlag) {
  ExecRequest request{"k", "--user=0", {"id"}, false, {}};
  EXPECT_FALSE(RuncExecArgv("runc", "/run/runc", request).ok());
  request.container = "web";
  request.env = {"=x"};
  EXPECT_FALSE(RuncExecArgv("runc", "/run/runc", request).ok());
}

TEST(ExecServerTest, KeysMatchOnlyWhenEqual) {
  EXPECT_TRUE(ExecKeysMatch("abcd", "abcd"));
  EXPECT_FALSE(ExecKeysMatch("abce", "abcd"));
  EXPECT_FALSE(ExecKeysMatch("abc", "abcd"));
  EXPECT_FALSE(ExecKeysMatch("abcde", "abcd"));
  EXPECT_FALSE(ExecKeysMatch("", "abcd"));
}

class ExecSessionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // runc's stand-in: skips to "--", then the container's name, and runs the rest.
    runc_ = dir_.Write("runc",
                       "#!/bin/sh\nwhile [ \"$1\" != -- ]; do shift; done\nshift 2\nexec \"$@\"\n");
    std::filesystem::permissions(runc_, std::filesystem::perms::owner_all);
    port_ = FreePort();
    server_ = ::fork();
    if (server_ == 0) {
      ExecServerOptions options;
      options.port = port_;
      options.runc = runc_.string();
      options.runc_root = dir_.path().string();
      options.key = [] { return Result<std::string>(std::string("the-key")); };
      (void)RunExecServer(options);
      ::_exit(1);
    }
  }
  void TearDown() override {
    ::kill(server_, SIGKILL);
    ::waitpid(server_, nullptr, 0);
  }
  static int FreePort() {
    UniqueFd fd(::socket(AF_INET, SOCK_STREAM, 0));
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd.get(), reinterpret_cast<sockaddr*>(&address), sizeof address);
    socklen_t size = sizeof address;
    ::getsockname(fd.get(), reinterpret_cast<sockaddr*>(&address), &size);
    return ntohs(address.sin_port);
  }
  // Sends `request` and `input`, and reads every frame until the connection closes.
  std::vector<ExecFrame> Exchange(const ExecRequest& request, const std::string& input) {
    UniqueFd fd;
    for (int attempt = 0; attempt < 100; ++attempt) {
      fd.reset(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
      sockaddr_in address{};
      address.sin_family = AF_INET;
      address.sin_port = htons(static_cast<uint16_t>(port_));
      address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
      if (::connect(fd.get(), reinterpret_cast<sockaddr*>(&address), sizeof address) == 0) break;
      fd.reset();
      ::usleep(20000);
    }
    EXPECT_TRUE(fd.valid());
    std::string out = EncodeExecRequest(request) + EncodeExecFrame(ExecFrameType::kStdin, input) +
                      EncodeExecFrame(ExecFrameType::kStdinEnd, "");
    EXPECT_EQ(::write(fd.get(), out.data(), out.size()), static_cast<ssize_t>(out.size()));
    std::string received;
    char buffer[4096];
    ssize_t n;
    while ((n = ::read(fd.get(), buffer, sizeof buffer)) > 0) received.append(buffer, n);
    std::vector<ExecFrame> frames;
    for (;;) {
      Result<std::optional<ExecFrame>> frame = TakeExecFrame(received);
      if (!frame.ok() || !frame->has_value()) break;
      frames.push_back(**frame);
    }
    return frames;
  }
  guest_test::TempDir dir_;
  std::filesystem::path runc_;
  int port_ = 0;
  pid_t server_ = -1;
};

TEST_F(ExecSessionTest, RunsTheCommandWithStdinAndPassesItsOutputAndExitCode) {
  std::vector<ExecFrame> frames = Exchange(
      {"the-key", "web", {"sh", "-c", "cat; echo oops >&2; exit 7"}, false, {}}, "hello\n");
  std::string out, err, exit_code;
  for (const ExecFrame& f : frames) {
    if (f.type == ExecFrameType::kStdout) out += f.data;
    if (f.type == ExecFrameType::kStderr) err += f.data;
    if (f.type == ExecFrameType::kExit) exit_code = f.data;
  }
  EXPECT_EQ(out, "hello\n");
  EXPECT_EQ(err, "oops\n");
  EXPECT_EQ(exit_code, "7");
  ASSERT_FALSE(frames.empty());
  EXPECT_EQ(frames.back().type, ExecFrameType::kExit);
}

TEST_F(ExecSessionTest, WithATerminalTheCommandsStdioIsOneOfTheGivenSize) {
  ExecRequest request{
      "the-key", "web", {"sh", "-c", "[ -t 0 ] && [ -t 1 ] && stty size; exit 3"}, true, {}};
  request.rows = 33;
  request.cols = 101;
  std::vector<ExecFrame> frames = Exchange(request, "");
  std::string out, exit_code;
  for (const ExecFrame& f : frames) {
    if (f.type == ExecFrameType::kStdout) out += f.data;
    if (f.type == ExecFrameType::kExit) exit_code = f.data;
  }
  EXPECT_NE(out.find("33 101"), std::string::npos) << out;
  EXPECT_EQ(exit_code, "3");
}

TEST_F(ExecSessionTest, ARequestWithoutTheKeyRunsNothing) {
  std::filesystem::path marker = dir_.path() / "ran";
  std::vector<ExecFrame> frames =
      Exchange({"not-the-key", "web", {"touch", marker.string()}, false, {}}, "");
  ASSERT_EQ(frames.size(), 1u);
  EXPECT_EQ(frames[0].type, ExecFrameType::kError);
  EXPECT_NE(frames[0].data.find("exec refused"), std::string::npos);
  EXPECT_FALSE(std::filesystem::exists(marker));
}

}  // namespace
}  // namespace i2kit
