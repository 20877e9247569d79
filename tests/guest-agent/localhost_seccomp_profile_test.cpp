#include "guest-agent/localhost_seccomp_profile.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "guest-agent/test_temp_dir.h"

namespace i2kit {
namespace {

namespace fs = std::filesystem;
using guest_test::TempDir;

constexpr const char* kProfile =
    R"({"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":["read","write","exit_group"],)"
    R"("action":"SCMP_ACT_ALLOW"}]})";

class LocalhostSeccompProfileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_FALSE(dir_.path().empty());
    root_ = (dir_.path() / "profiles").string();
    dir_.Write("profiles/team/strict.json", kProfile);
    dir_.Write("outside.json", kProfile);
  }
  std::string Error(const std::string& relative) {
    Result<nlohmann::ordered_json> r = LoadLocalhostSeccompProfile(root_, relative);
    return r.ok() ? "ok" : r.status().message();
  }

  TempDir dir_;
  std::string root_;
};

TEST_F(LocalhostSeccompProfileTest, LoadsAProfileBelowTheRootInItsOwnOrder) {
  Result<nlohmann::ordered_json> r = LoadLocalhostSeccompProfile(root_, "team/strict.json");
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->dump(), kProfile);
}

TEST_F(LocalhostSeccompProfileTest, RefusesPathTraversal) {
  for (const char* path : {"../outside.json", "team/../../outside.json", "..", "/etc/passwd", ""}) {
    EXPECT_EQ(Error(path), "seccomp profile '" + std::string(path) +
                               "': must be a relative path inside " + root_ + " without '..'")
        << path;
  }
}

TEST_F(LocalhostSeccompProfileTest, RefusesSymbolicLinksLeadingOutsideTheRoot) {
  fs::create_symlink(dir_.path() / "outside.json", fs::path(root_) / "absolute.json");
  fs::create_symlink("../outside.json", fs::path(root_) / "relative.json");
  EXPECT_EQ(Error("absolute.json"), "seccomp profile 'absolute.json': leads outside " + root_);
  EXPECT_EQ(Error("relative.json"), "seccomp profile 'relative.json': leads outside " + root_);
}

TEST_F(LocalhostSeccompProfileTest, FollowsSymbolicLinksThatStayInsideTheRoot) {
  fs::create_symlink("team/strict.json", fs::path(root_) / "default.json");
  EXPECT_EQ(Error("default.json"), "ok");
}

TEST_F(LocalhostSeccompProfileTest, ReportsAMissingProfileWithItsPath) {
  EXPECT_EQ(Error("team/missing.json"), "openat2(\"" + root_ +
                                            "/team/missing.json\") failed: ENOENT (No such file or "
                                            "directory)");
}

TEST_F(LocalhostSeccompProfileTest, ReportsJsonErrorsWithoutThrowing) {
  dir_.Write("profiles/broken.json", "{\"defaultAction\": ");
  EXPECT_EQ(Error("broken.json").rfind("seccomp profile " + root_ + "/broken.json: not JSON: ", 0),
            0u);
}

TEST_F(LocalhostSeccompProfileTest, ValidatesTheSyscallNames) {
  dir_.Write("profiles/typo.json",
             R"({"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":["raed"],)"
             R"("action":"SCMP_ACT_ALLOW"}]})");
  EXPECT_EQ(Error("typo.json")
                .rfind(root_ + "/typo.json: seccomp profile: syscalls[0].names[0]: "
                               "unknown syscall 'raed'",
                       0),
            0u)
      << Error("typo.json");
}

TEST_F(LocalhostSeccompProfileTest, RefusesADirectory) {
  EXPECT_EQ(Error("team"), root_ + "/team: not a regular file");
}

}  // namespace
}  // namespace i2kit
