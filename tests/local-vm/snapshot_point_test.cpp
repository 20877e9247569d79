// The boot-identity answer: the replica's own identity, or "not yet" to the one request that
// claims a wanted snapshot and to every request while it is taken.
#include "local-vm/snapshot_point.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "common/boot_identity.h"
#include "local-vm/vm_snapshot.h"

namespace i2kit {
namespace {

namespace fs = std::filesystem;

class SnapshotPointTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("i2kit-point-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  SnapshotPointAnswer Ask(int replica) {
    return AnswerBootIdentity(dir_, replica, 1796650000000000000, std::string(64, 'e'));
  }
  fs::path dir_;
};

TEST_F(SnapshotPointTest, RecognisesOnlyThePutOfTheBootPath) {
  EXPECT_TRUE(IsBootIdentityRequest("PUT /i2kit/v1/boot HTTP/1.0\r\nHost: x\r\n\r\n"));
  EXPECT_FALSE(IsBootIdentityRequest("GET /i2kit/v1/boot HTTP/1.0\r\n\r\n"));
  EXPECT_FALSE(IsBootIdentityRequest("PUT /i2kit/v1/bootx HTTP/1.0\r\n\r\n"));
}

TEST_F(SnapshotPointTest, AnswersTheReplicasIdentityWhenNoSnapshotIsWanted) {
  SnapshotPointAnswer answer = Ask(3);
  EXPECT_EQ(answer.response.status, 200);
  EXPECT_TRUE(answer.snapshot_path.empty());
  Result<BootIdentity> identity = BootIdentityFromJson(answer.response.body);
  ASSERT_TRUE(identity.ok()) << identity.status().message();
  EXPECT_EQ(identity->replica, 3);
  EXPECT_EQ(identity->unix_ns, 1796650000000000000);
  EXPECT_EQ(identity->entropy, std::string(64, 'e'));
}

TEST_F(SnapshotPointTest, OneRequestClaimsAWantedSnapshotOthersWaitUntilItIsTaken) {
  std::ofstream(dir_ / kSnapshotWantedFile) << "/state/_snapshots/web-k.vmstate\n";
  SnapshotPointAnswer first = Ask(0);
  EXPECT_EQ(first.response.status, 503);
  EXPECT_EQ(first.snapshot_path, "/state/_snapshots/web-k.vmstate");
  SnapshotPointAnswer second = Ask(0);
  EXPECT_EQ(second.response.status, 503);
  EXPECT_TRUE(second.snapshot_path.empty());
  fs::remove(dir_ / kSnapshotTakingFile);  // taken
  EXPECT_EQ(Ask(0).response.status, 200);
}

}  // namespace
}  // namespace i2kit
