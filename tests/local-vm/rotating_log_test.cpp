// The files the host keeps within a size: the controller's log and each replica's console.
#include "local-vm/rotating_log.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "common/event_log.h"
#include "common/temp_dir.h"
#include "local-vm/console_log.h"

namespace i2kit {
namespace {

// A temporary directory of the test's own.
class RotatingLogTest : public ::testing::Test {
 protected:
  TempDir temp_ = TempDir::Create(::testing::TempDir(), "rotating-log").value();
  std::filesystem::path dir_ = temp_.path();
};

std::string Read(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

TEST_F(RotatingLogTest, TheControllersLogRotatesAtItsLimitAndKeepsItsCount) {
  std::string path = (dir_ / "web.log").string();
  RotationLimits limits{4096, 2};
  {
    Result<std::unique_ptr<RotatingLogStream>> log = RotatingLogStream::Open(path, limits);
    ASSERT_TRUE(log.ok()) << log.status().message();
    EventLog events((*log)->stream(), false);
    for (int i = 0; i < 1000; ++i) events.Event("web/0 event number " + std::to_string(i));
  }
  // 1000 lines of ~50 bytes: far more than three files of 4 KiB hold.
  EXPECT_EQ(RotatedPaths(path, limits), (std::vector<std::string>{(dir_ / "web.1.log").string(),
                                                                  (dir_ / "web.2.log").string()}));
  EXPECT_TRUE(std::filesystem::exists(dir_ / "web.1.log"));
  EXPECT_TRUE(std::filesystem::exists(dir_ / "web.2.log"));
  EXPECT_FALSE(std::filesystem::exists(dir_ / "web.3.log"));
  for (const char* name : {"web.log", "web.1.log", "web.2.log"}) {
    EXPECT_LE(std::filesystem::file_size(dir_ / name), 4096u) << name;
  }
  // The newest line is in the current file, stamped with the time.
  std::string current = Read(path);
  EXPECT_NE(current.find(" web/0 event number 999\n"), std::string::npos) << current;
  EXPECT_EQ(current.find("web/0 event number 0\n"), std::string::npos);
  EXPECT_EQ(current.substr(0, 2), "20");
}

TEST_F(RotatingLogTest, AConsoleAppendedByAnotherProcessIsCopiedAwayAndEmptiedInPlace) {
  std::string path = (dir_ / "console.log").string();
  RotationLimits limits{100, 2};
  std::ofstream writer(path, std::ios::app);  // QEMU's O_APPEND descriptor
  writer << std::string(60, 'a') << "\n" << std::flush;
  ASSERT_TRUE(RotateAppendedFile(path, limits).ok());
  EXPECT_EQ(std::filesystem::file_size(path), 61u);  // within the limit: untouched
  LogFollower follower(path);
  EXPECT_EQ(follower.ReadNew().value().size(), 61u);
  writer << std::string(60, 'b') << "\n" << std::flush;
  ASSERT_TRUE(RotateAppendedFile(path, limits).ok());
  EXPECT_EQ(std::filesystem::file_size(path), 0u);
  EXPECT_EQ(Read(dir_ / "console.1.log"),
            std::string(60, 'a') + "\n" + std::string(60, 'b') + "\n");
  // The writer goes on at the start of the emptied file, and a follower reads it from there.
  writer << "after\n" << std::flush;
  EXPECT_EQ(Read(path), "after\n");
  EXPECT_EQ(follower.ReadNew().value(), "after\n");
  // Two more rotations: the oldest file goes, two are kept.
  for (char c : {'c', 'd'}) {
    writer << std::string(120, c) << "\n" << std::flush;
    ASSERT_TRUE(RotateAppendedFile(path, limits).ok());
  }
  EXPECT_EQ(Read(dir_ / "console.1.log"), std::string(120, 'd') + "\n");
  EXPECT_EQ(Read(dir_ / "console.2.log"), "after\n" + std::string(120, 'c') + "\n");
  EXPECT_FALSE(std::filesystem::exists(dir_ / "console.3.log"));
}

}  // namespace
}  // namespace i2kit
