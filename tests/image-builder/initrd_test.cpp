#include "image-builder/initrd.h"

#include <archive.h>
#include <archive_entry.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "image-builder/kernel_initrd_reader.h"

namespace i2kit {
namespace {

namespace fs = std::filesystem;

// Every entry, as the kernel unpacks them; a test fails if the initrd does not read.
std::map<std::string, test_util::InitrdFile> List(const std::string& path) {
  Result<std::map<std::string, test_util::InitrdFile>> files = test_util::ReadInitrdLikeTheKernel(path);
  EXPECT_TRUE(files.ok()) << files.status().message();
  return files.ok() ? *files : std::map<std::string, test_util::InitrdFile>{};
}

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

class InitrdTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::path(::testing::TempDir()) / ("initrd-" + std::to_string(::getpid()));
    fs::create_directories(dir_);
    std::ofstream(dir_ / "agent") << "#!/bin/agent";
  }
  void TearDown() override { fs::remove_all(dir_); }
  InitrdBuilder Sample() {
    InitrdBuilder b;
    b.AddFile("/init", (dir_ / "agent").string(), 0755);
    b.AddData("/etc/i2kit/pod.json", "{}\n");
    b.AddSymlink("/lib64", "lib");
    b.AddCharDevice("/dev/console", 5, 1, 0600);
    b.AddDirectory("/proc");
    return b;
  }
  fs::path dir_;
};

TEST_F(InitrdTest, HoldsEveryEntryWithItsTypeAndParents) {
  std::string out = (dir_ / "initrd.img").string();
  Status written = Sample().Write(out);
  ASSERT_TRUE(written.ok()) << written.message();
  std::map<std::string, test_util::InitrdFile> entries = List(out);
  EXPECT_EQ(entries["init"].data, "#!/bin/agent");
  EXPECT_EQ(entries["init"].mode, S_IFREG | 0755u);
  EXPECT_EQ(entries["etc"].mode & S_IFMT, S_IFDIR);  // parents come implicitly
  EXPECT_EQ(entries["etc/i2kit/pod.json"].data, "{}\n");
  EXPECT_EQ(entries["lib64"].mode & S_IFMT, S_IFLNK);
  EXPECT_EQ(entries["lib64"].data, "lib");
  EXPECT_EQ(entries["dev/console"].mode, S_IFCHR | 0600u);
  EXPECT_EQ(entries["dev/console"].rdev_major, 5u);
  EXPECT_EQ(entries["dev/console"].rdev_minor, 1u);
  EXPECT_EQ(entries["proc"].mode & S_IFMT, S_IFDIR);
  // One archive, compressed: nothing was asked to be stored.
  EXPECT_EQ(ReadAll(out).substr(0, 2), "\x1f\x8b");
  for (const auto& [path, file] : entries) EXPECT_EQ(file.archive, 0) << path;
}

TEST_F(InitrdTest, StoredFilesComeInAPlainArchiveAfterTheCompressedOne) {
  std::string image(100000, '\0');
  for (size_t i = 0; i < image.size(); ++i) image[i] = static_cast<char>((i * 7919) >> 3);
  std::ofstream(dir_ / "system.img", std::ios::binary) << image;
  InitrdBuilder b = Sample();
  b.AddFile("/images/system.img", (dir_ / "system.img").string(), 0644, InitrdBuilder::Packing::kStored);
  std::string out = (dir_ / "initrd.img").string();
  ASSERT_TRUE(b.Write(out).ok());
  std::map<std::string, test_util::InitrdFile> entries = List(out);
  EXPECT_EQ(entries["images/system.img"].data, image);
  EXPECT_EQ(entries["images/system.img"].archive, 1);
  EXPECT_EQ(entries["images"].archive, 0);  // its directory is unpacked first
  EXPECT_EQ(entries["init"].archive, 0);
  // Stored as is: its bytes are in the initrd, uncompressed, at a 4-byte boundary.
  std::string bytes = ReadAll(out);
  size_t at = bytes.find(image);
  ASSERT_NE(at, std::string::npos);
  EXPECT_EQ(at % 4, 0u);
}

TEST_F(InitrdTest, SameInputsGiveTheSameBytes) {
  std::string a = (dir_ / "a.img").string(), b = (dir_ / "b.img").string();
  ASSERT_TRUE(Sample().Write(a).ok());
  fs::last_write_time(dir_ / "agent", fs::file_time_type::clock::now() - std::chrono::hours(5));
  ASSERT_TRUE(Sample().Write(b).ok());
  EXPECT_EQ(ReadAll(a), ReadAll(b));
}

TEST_F(InitrdTest, NamesAMissingSourceFile) {
  InitrdBuilder b;
  b.AddFile("/init", "/nonexistent/agent", 0755);
  Status s = b.Write((dir_ / "x.img").string());
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.message(), "initrd: cannot read /nonexistent/agent for /init");
}

TEST_F(InitrdTest, ListsNoLibrariesForWhatIsNotADynamicExecutable) {
  Result<std::vector<std::string>> none = SharedLibrariesOf((dir_ / "agent").string());
  ASSERT_TRUE(none.ok()) << none.status().message();
  EXPECT_TRUE(none->empty());
}

TEST(SharedLibrariesTest, ListsRuncsLibraries) {
  if (!fs::exists("/usr/sbin/runc")) GTEST_SKIP() << "runc is not installed";
  Result<std::vector<std::string>> libraries = SharedLibrariesOf("/usr/sbin/runc");
  ASSERT_TRUE(libraries.ok()) << libraries.status().message();
  std::string all;
  for (const std::string& l : *libraries) all += l + " ";
  EXPECT_NE(all.find("libseccomp.so.2"), std::string::npos) << all;
  EXPECT_NE(all.find("ld-linux-x86-64.so.2"), std::string::npos) << all;
}

}  // namespace
}  // namespace i2kit
