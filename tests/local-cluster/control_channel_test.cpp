// The line protocol between run/down and a deployment's controller, and the status file ps
// reads: round trips, and what a malformed line or file gives.
#include "local-cluster/control_channel.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <unistd.h>

#include <filesystem>
#include <map>
#include <thread>

#include "local-cluster/controller_files.h"
#include "local-vm/state_dir.h"

namespace i2kit {
namespace {

TEST(ControlChannelTest, AnUpdateRequestSurvivesTheRoundTrip) {
  ControlRequest request;
  request.artifacts_dir = "/tmp/out/web";
  request.publish = {{8080, 80, Protocol::kTcp}};
  request.timeout_seconds = 40;
  Result<ControlRequest> back = RequestFromLine(RequestToLine(request));
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_EQ(back->op, ControlRequest::Op::kUpdate);
  EXPECT_EQ(back->artifacts_dir, "/tmp/out/web");
  EXPECT_EQ(back->publish, request.publish);
  EXPECT_EQ(back->timeout_seconds, 40);
  EXPECT_EQ(back->grace_seconds, -1);
}

TEST(ControlChannelTest, MalformedRequestsNameWhatIsWrong) {
  EXPECT_NE(RequestFromLine("not json").status().message().find("not a JSON object"),
            std::string::npos);
  EXPECT_NE(
      RequestFromLine(R"({"op":"reboot"})").status().message().find("op: expected update or down"),
      std::string::npos);
  EXPECT_NE(
      RequestFromLine(
          R"({"op":"down","artifactsDir":"","publish":[],"timeoutSeconds":"x","graceSeconds":1})")
          .status()
          .message()
          .find("timeoutSeconds: expected an integer"),
      std::string::npos);
  EXPECT_NE(
      RequestFromLine(
          R"({"op":"update","artifactsDir":"/a","publish":["99999:80"],"timeoutSeconds":0,"graceSeconds":-1})")
          .status()
          .message()
          .find("publish"),
      std::string::npos);
}

TEST(ControlChannelTest, RepliesAreFollowedToTheResult) {
  int pair[2];
  ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair), 0);
  UniqueFd ours(pair[0]), theirs(pair[1]);
  std::thread controller([&] {
    ASSERT_TRUE(SendLine(theirs.get(), EventLine("web/3 booting")).ok());
    ASSERT_TRUE(SendLine(theirs.get(), "garbage is skipped").ok());
    ASSERT_TRUE(SendLine(theirs.get(), ResultLine(Status::Error("no progress for 40 s"))).ok());
  });
  std::vector<std::string> events;
  Status result = FollowReplies(ours.get(), [&](std::string_view e) { events.emplace_back(e); });
  controller.join();
  EXPECT_EQ(events, std::vector<std::string>{"web/3 booting"});
  EXPECT_EQ(result.message(), "no progress for 40 s");
}

TEST(ControlChannelTest, AControllerThatDiesWithoutAnAnswerIsAFailure) {
  int pair[2];
  ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair), 0);
  UniqueFd ours(pair[0]);
  {
    UniqueFd theirs(pair[1]);
    ASSERT_TRUE(SendLine(theirs.get(), EventLine("web/0 booting")).ok());
  }
  Status result = FollowReplies(ours.get(), [](std::string_view) {});
  EXPECT_FALSE(result.ok());
  EXPECT_NE(result.message().find("ended without an answer"), std::string::npos);
}

TEST(ControllerFilesTest, TheStatusSurvivesTheRoundTripAndBadFilesAreErrors) {
  ControllerStatus status;
  status.deployment = "web";
  status.pid = 42;
  status.replicas = 3;
  status.image_digest = "sha256:abc";
  status.operation = "rolling out";
  status.replacements = 2;
  status.ports = {{8080, 18080, true}, {9090, 40001, false}};
  status.members = {{0, "ready", false}, {3, "booting", true}};
  Result<ControllerStatus> back = ControllerStatusFromJson(ControllerStatusToJson(status));
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_EQ(back->replacements, 2);
  ASSERT_EQ(back->ports.size(), 2u);
  EXPECT_EQ(back->ports[1].host_port, 40001);
  EXPECT_FALSE(back->ports[1].published);
  ASSERT_EQ(back->members.size(), 2u);
  EXPECT_EQ(back->members[1].state, "booting");
  EXPECT_TRUE(back->members[1].current);
  EXPECT_FALSE(ControllerStatusFromJson("{\"deployment\": 1}").ok());
  EXPECT_FALSE(ControllerStatusFromJson("").ok());
}

// A state dir with live controllers (their locks held, as by a running controller): "web"
// (labels app=web, container port 8080 balanced on 40001) to begin with.
class LocalDirectoryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ =
        std::filesystem::temp_directory_path() / ("i2kit-directory-" + std::to_string(::getpid()));
    ASSERT_TRUE(StateDir(root_.string()).MakeControllersDir().ok());
    AddController("web", {{"app", "web"}, {"tier", "front"}}, 8080, 40001);
  }
  void TearDown() override { std::filesystem::remove_all(root_); }

  void AddController(const std::string& name, std::map<std::string, std::string> labels,
                     int container_port, int host_port) {
    StateDir state(root_.string());
    ControllerStatus status;
    status.deployment = name;
    status.labels = std::move(labels);
    status.ports = {{container_port, host_port, true}};
    ASSERT_TRUE(
        WriteFileAtomically(ControllerStatusPath(state, name), ControllerStatusToJson(status))
            .ok());
    UniqueFd lock(
        ::open(ControllerLockPath(state, name).c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600));
    ASSERT_EQ(::flock(lock.get(), LOCK_EX), 0);
    locks_[name] = std::move(lock);
  }

  std::filesystem::path root_;
  std::map<std::string, UniqueFd> locks_;
};

TEST_F(LocalDirectoryTest, RunningDeploymentsAndTheServicesSelectingThemAreListed) {
  StateDir state(root_.string());
  ASSERT_TRUE(WriteLocalService(state, {"frontend", {{"app", "web"}}, {{80, 8080}}}).ok());
  ASSERT_TRUE(WriteLocalService(state, {"nobody", {{"app", "api"}}, {{80, 8080}}}).ok());
  ServiceDirectory directory = LocalServiceDirectory(state);
  ASSERT_EQ(directory.entries.size(), 2u) << DirectoryToJson(directory);
  EXPECT_EQ(directory.entries[0], (DirectoryEntry{"frontend", {{80, {40001}}}}));
  EXPECT_EQ(directory.entries[1], (DirectoryEntry{"web", {{8080, {40001}}}}));

  RemoveLocalService(state, "frontend");
  EXPECT_EQ(LocalServiceDirectory(state).entries.size(), 1u);
  locks_.erase("web");  // the controller has gone: so has its name
  EXPECT_TRUE(LocalServiceDirectory(state).entries.empty());
}

TEST_F(LocalDirectoryTest, AServiceLeadsToEveryDeploymentItSelects) {
  StateDir state(root_.string());
  AddController("web-canary", {{"app", "web"}, {"track", "canary"}}, 8080, 40002);
  AddController("web-admin", {{"app", "web"}}, 9000, 40003);  // matches, but not the target port
  AddController("api", {{"app", "api"}}, 8080, 40004);
  ASSERT_TRUE(WriteLocalService(state, {"frontend", {{"app", "web"}}, {{80, 8080}}}).ok());
  ServiceDirectory directory = LocalServiceDirectory(state);
  const DirectoryEntry* frontend = directory.Find("frontend");
  ASSERT_NE(frontend, nullptr) << DirectoryToJson(directory);
  EXPECT_EQ(*frontend, (DirectoryEntry{"frontend", {{80, {40001, 40002}}}}));

  locks_.erase("web");  // one of them stops: the Service leads to the other
  EXPECT_EQ(*LocalServiceDirectory(state).Find("frontend"),
            (DirectoryEntry{"frontend", {{80, {40002}}}}));
}

TEST_F(LocalDirectoryTest, WaitingForAControllerToEndReturnsOnceItsLockIsReleased) {
  StateDir state(root_.string());
  EXPECT_TRUE(WaitForControllerExit(state, "none", std::chrono::milliseconds(0)).ok());

  Status timed_out = WaitForControllerExit(state, "web", std::chrono::milliseconds(60));
  ASSERT_FALSE(timed_out.ok());
  EXPECT_NE(timed_out.message().find("controller of web still runs"), std::string::npos)
      << timed_out.message();

  auto started = std::chrono::steady_clock::now();
  std::thread ending([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(150));
    locks_.erase("web");
  });
  Status ended = WaitForControllerExit(state, "web", std::chrono::seconds(10));
  ending.join();
  EXPECT_TRUE(ended.ok()) << ended.message();
  EXPECT_GE(std::chrono::steady_clock::now() - started, std::chrono::milliseconds(150));
}

}  // namespace
}  // namespace i2kit
