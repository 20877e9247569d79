#include "guest-agent/file_tree.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>

#include "common/text_file.h"
#include "tests/guest-agent/test_temp_dir.h"

namespace i2kit {
namespace {

using guest_test::TempDir;

mode_t ModeOf(const std::filesystem::path& path) {
  struct stat st {};
  EXPECT_EQ(::lstat(path.c_str(), &st), 0) << path;
  return st.st_mode;
}

TEST(FileTreeTest, MakeDirectoriesMakesTheMissingParentsAndAcceptsAnExistingOne) {
  TempDir dir;
  std::string deep = dir.path() / "a/b/c";
  ASSERT_TRUE(MakeDirectories(deep).ok());
  EXPECT_TRUE(S_ISDIR(ModeOf(deep)));
  EXPECT_TRUE(MakeDirectories(deep).ok());
}

TEST(FileTreeTest, MakeDirectoriesRefusesAPathThroughAFile) {
  TempDir dir;
  dir.Write("file", "x");
  Status status = MakeDirectories(dir.path() / "file/below");
  ASSERT_FALSE(status.ok());
  EXPECT_NE(status.message().find("file/below"), std::string::npos) << status.message();
}

TEST(FileTreeTest, ListDirectoryNamesEveryEntryButDotAndDotDot) {
  TempDir dir;
  dir.Write("one", "1");
  dir.Write("sub/two", "2");
  Result<std::vector<std::string>> names = ListDirectory(dir.path());
  ASSERT_TRUE(names.ok()) << names.status().message();
  std::vector<std::string> sorted = *names;
  std::sort(sorted.begin(), sorted.end());
  EXPECT_EQ(sorted, (std::vector<std::string>{"one", "sub"}));
  EXPECT_FALSE(ListDirectory(dir.path() / "missing").ok());
}

TEST(FileTreeTest, CopyTreeKeepsContentsModesAndSymlinks) {
  TempDir dir;
  dir.Write("from/etc/spec.json", "{\"pod\":1}");
  dir.Write("from/bin/tool", "#!/bin/sh\n");
  ASSERT_EQ(::chmod((dir.path() / "from/bin/tool").c_str(), 0750), 0);
  ASSERT_EQ(::chmod((dir.path() / "from/etc").c_str(), 0700), 0);
  ASSERT_EQ(::symlink("../etc/spec.json", (dir.path() / "from/bin/link").c_str()), 0);

  ASSERT_TRUE(CopyTree(dir.path() / "from", dir.path() / "to").ok());
  EXPECT_EQ(ReadTextFile(dir.path() / "to/etc/spec.json"), "{\"pod\":1}");
  EXPECT_EQ(ModeOf(dir.path() / "to/bin/tool") & 07777, 0750u);
  EXPECT_EQ(ModeOf(dir.path() / "to/etc") & 07777, 0700u);
  ASSERT_TRUE(S_ISLNK(ModeOf(dir.path() / "to/bin/link")));
  EXPECT_EQ(std::filesystem::read_symlink(dir.path() / "to/bin/link"), "../etc/spec.json");
}

TEST(FileTreeTest, CopyTreeRefusesToOverwrite) {
  TempDir dir;
  dir.Write("from", "new");
  dir.Write("to", "old");
  EXPECT_FALSE(CopyTree(dir.path() / "from", dir.path() / "to").ok());
  EXPECT_EQ(ReadTextFile(dir.path() / "to"), "old");
}

TEST(FileTreeTest, RemoveTreeRemovesEverythingBelowButNotWhatSymlinksPointAt) {
  TempDir dir;
  dir.Write("keep/file", "kept");
  dir.Write("gone/a/b", "x");
  ASSERT_EQ(::symlink((dir.path() / "keep").c_str(), (dir.path() / "gone/link").c_str()), 0);
  ASSERT_TRUE(RemoveTree(dir.path() / "gone").ok());
  EXPECT_FALSE(std::filesystem::exists(dir.path() / "gone"));
  EXPECT_EQ(ReadTextFile(dir.path() / "keep/file"), "kept");
  EXPECT_TRUE(RemoveTree(dir.path() / "gone").ok());
}

}  // namespace
}  // namespace i2kit
