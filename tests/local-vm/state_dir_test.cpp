// The state dir: replicas created, recorded, listed; liveness from the alive lock; stale
// leftovers cleaned; nothing left behind once the last replica is removed.
#include "local-vm/state_dir.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>

#include "local-vm/vm_process.h"

namespace i2kit {
namespace {

namespace fs = std::filesystem;

class StateDirTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() /
            ("i2kit-state-" + std::to_string(::getpid()) + "-" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(root_);
  }
  void TearDown() override { fs::remove_all(root_); }

  ReplicaRecord Record(const std::string& deployment, int replica) {
    ReplicaRecord r;
    r.deployment = deployment;
    r.replica = replica;
    r.pid = ::getpid();
    r.start_time = ProcessStartTime(::getpid()).value();
    r.created_unix = 1700000000;
    r.artifacts_dir = "/art/" + deployment;
    r.image_digest = "sha256:abc";
    r.accelerator = "tcg";
    r.ports = {{18080, 80, Protocol::kTcp}, {5353, 53, Protocol::kUdp}};
    r.agent_port = 40001;
    r.grace_seconds = 30;
    return r;
  }

  // Creates and records a replica; the returned fd stands for its QEMU process's alive lock.
  UniqueFd Start(StateDir& state, const std::string& deployment, int replica) {
    Result<DeploymentLock> lock = state.LockDeployment(deployment, true);
    EXPECT_TRUE(lock.ok()) << lock.status().message();
    Result<UniqueFd> alive = state.CreateReplica(*lock, replica);
    EXPECT_TRUE(alive.ok()) << alive.status().message();
    EXPECT_TRUE(state.WriteRecord(Record(deployment, replica)).ok());
    return std::move(alive).value();
  }

  fs::path root_;
};

TEST_F(StateDirTest, RecordSurvivesAJsonRoundTrip) {
  ReplicaRecord r = Record("web", 2);
  Result<ReplicaRecord> back = RecordFromJson(RecordToJson(r));
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_EQ(*back, r);
}

TEST_F(StateDirTest, RecordWithAMissingFieldIsAnErrorNamingIt) {
  Result<ReplicaRecord> r = RecordFromJson(R"({"deployment":"web"})");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("replica"), std::string::npos) << r.status().message();
}

TEST_F(StateDirTest, ListingANeverUsedRootIsEmpty) {
  StateDir state(root_.string());
  Result<std::vector<ReplicaEntry>> entries = state.List();
  ASSERT_TRUE(entries.ok());
  EXPECT_TRUE(entries->empty());
}

TEST_F(StateDirTest, RootAndReplicaDirsArePrivate) {
  StateDir state(root_.string());
  UniqueFd alive = Start(state, "web", 0);
  EXPECT_EQ(fs::status(root_).permissions() & fs::perms::all, fs::perms::owner_all);
  EXPECT_EQ(fs::status(state.ReplicaDir("web", 0)).permissions() & fs::perms::all,
            fs::perms::owner_all);
}

TEST_F(StateDirTest, ReplicaIsRunningWhileItsAliveLockIsHeldAndExitedAfter) {
  StateDir state(root_.string());
  UniqueFd alive = Start(state, "web", 0);
  std::vector<ReplicaEntry> entries = state.List().value();
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(entries[0].name(), "web/0");
  EXPECT_EQ(entries[0].state, ReplicaState::kRunning);
  ASSERT_TRUE(entries[0].record.has_value());
  EXPECT_EQ(*entries[0].record, Record("web", 0));

  alive.reset();  // the VM's process exits: its lock goes with it
  entries = state.List().value();
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(entries[0].state, ReplicaState::kExited);
}

TEST_F(StateDirTest, ReplicaWithoutRecordIsStartingWhileLocked) {
  StateDir state(root_.string());
  Result<DeploymentLock> lock = state.LockDeployment("web", true);
  ASSERT_TRUE(lock.ok());
  Result<UniqueFd> alive = state.CreateReplica(*lock, 0);
  ASSERT_TRUE(alive.ok());
  std::vector<ReplicaEntry> entries = state.List().value();
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(entries[0].state, ReplicaState::kStarting);
  EXPECT_FALSE(entries[0].record.has_value());
}

TEST_F(StateDirTest, LeftoverOfACrashedRunIsCleanedByTheNextListing) {
  StateDir state(root_.string());
  {
    Result<DeploymentLock> lock = state.LockDeployment("web", true);
    ASSERT_TRUE(lock.ok());
    Result<UniqueFd> alive = state.CreateReplica(*lock, 0);
    ASSERT_TRUE(alive.ok());
  }  // the CLI "crashed": no record, and no process holds the alive lock
  ASSERT_TRUE(fs::exists(state.ReplicaDir("web", 0)));
  EXPECT_TRUE(state.List().value().empty());
  EXPECT_FALSE(fs::exists(root_ / "web"));
  EXPECT_FALSE(fs::exists(root_ / "web.lock"));
}

TEST_F(StateDirTest, LeftoverIsKeptWhileItsDeploymentIsLocked) {
  StateDir state(root_.string());
  Result<DeploymentLock> lock = state.LockDeployment("web", true);
  ASSERT_TRUE(lock.ok());
  { Result<UniqueFd> alive = state.CreateReplica(*lock, 0); }
  EXPECT_TRUE(state.List().value().empty());
  EXPECT_TRUE(fs::exists(state.ReplicaDir("web", 0)));
}

TEST_F(StateDirTest, DeploymentsAndReplicasCoexistAndListInOrder) {
  StateDir state(root_.string());
  UniqueFd a = Start(state, "web", 10);
  UniqueFd b = Start(state, "web", 2);
  UniqueFd c = Start(state, "api", 0);
  std::vector<std::string> names;
  std::vector<ReplicaEntry> entries = state.List().value();
  for (const ReplicaEntry& e : entries) names.push_back(e.name());
  EXPECT_EQ(names, (std::vector<std::string>{"api/0", "web/2", "web/10"}));
  EXPECT_EQ(state.List("web").value().size(), 2u);
}

TEST_F(StateDirTest, RemovingARunningReplicaIsRefused) {
  StateDir state(root_.string());
  UniqueFd alive = Start(state, "web", 0);
  Result<DeploymentLock> lock = state.LockDeployment("web", true);
  ASSERT_TRUE(lock.ok());
  Status s = state.RemoveReplica(*lock, 0);
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("still running"), std::string::npos);
}

TEST_F(StateDirTest, RemovingTheLastReplicaLeavesNothingBehind) {
  StateDir state(root_.string());
  UniqueFd alive0 = Start(state, "web", 0);
  UniqueFd alive1 = Start(state, "web", 1);
  alive0.reset();
  alive1.reset();
  {
    Result<DeploymentLock> lock = state.LockDeployment("web", true);
    ASSERT_TRUE(lock.ok());
    ASSERT_TRUE(state.RemoveReplica(*lock, 0).ok());
  }
  EXPECT_TRUE(fs::exists(root_ / "web.lock"));
  {
    Result<DeploymentLock> lock = state.LockDeployment("web", true);
    ASSERT_TRUE(lock.ok());
    ASSERT_TRUE(state.RemoveReplica(*lock, 1).ok());
  }
  EXPECT_TRUE(fs::is_empty(root_));
}

TEST_F(StateDirTest, ABusyDeploymentIsReportedWithoutWaiting) {
  StateDir state(root_.string());
  Result<DeploymentLock> held = state.LockDeployment("web", true);
  ASSERT_TRUE(held.ok());
  Result<DeploymentLock> second = state.LockDeployment("web", false);
  ASSERT_FALSE(second.ok());
  EXPECT_NE(second.status().message().find("busy"), std::string::npos);
}

TEST_F(StateDirTest, DeploymentNamesThatAreNotLabelsAreRefused) {
  StateDir state(root_.string());
  EXPECT_FALSE(state.LockDeployment("../etc", true).ok());
  EXPECT_FALSE(state.LockDeployment("Web", true).ok());
}

TEST_F(StateDirTest, ParsesDeploymentAndReplicaNames) {
  Result<ReplicaName> web = ParseReplicaName("web");
  ASSERT_TRUE(web.ok());
  EXPECT_EQ(web->deployment, "web");
  EXPECT_FALSE(web->replica.has_value());
  Result<ReplicaName> one = ParseReplicaName("web/1");
  ASSERT_TRUE(one.ok());
  EXPECT_EQ(one->replica, 1);
  for (const char* bad : {"web/", "web/x", "web/01", "web/-1", "/1", "Web/1", "web/1/2"}) {
    EXPECT_FALSE(ParseReplicaName(bad).ok()) << bad;
  }
}

}  // namespace
}  // namespace i2kit
