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

namespace i2kit {
namespace {

namespace fs = std::filesystem;

struct Listed {
  mode_t type = 0;
  mode_t perm = 0;
  std::string data;
  dev_t rdev = 0;
};

// Every entry of a zstd-compressed newc archive, by path.
std::map<std::string, Listed> List(const std::string& path) {
  std::map<std::string, Listed> out;
  archive* a = archive_read_new();
  archive_read_support_filter_zstd(a);
  archive_read_support_format_cpio(a);
  EXPECT_EQ(archive_read_open_filename(a, path.c_str(), 1 << 16), ARCHIVE_OK);
  archive_entry* e;
  while (archive_read_next_header(a, &e) == ARCHIVE_OK) {
    Listed l{archive_entry_filetype(e), archive_entry_perm(e), {}, archive_entry_rdev(e)};
    if (archive_entry_filetype(e) == AE_IFLNK) l.data = archive_entry_symlink(e);
    char buffer[4096];
    la_ssize_t n;
    while ((n = archive_read_data(a, buffer, sizeof buffer)) > 0)
      l.data.append(buffer, static_cast<size_t>(n));
    out[archive_entry_pathname(e)] = l;
  }
  archive_read_free(a);
  return out;
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
  std::map<std::string, Listed> entries = List(out);
  EXPECT_EQ(entries["init"].data, "#!/bin/agent");
  EXPECT_EQ(entries["init"].perm, 0755u);
  EXPECT_EQ(entries["etc"].type, static_cast<mode_t>(AE_IFDIR));  // parents come implicitly
  EXPECT_EQ(entries["etc/i2kit/pod.json"].data, "{}\n");
  EXPECT_EQ(entries["lib64"].type, static_cast<mode_t>(AE_IFLNK));
  EXPECT_EQ(entries["lib64"].data, "lib");
  EXPECT_EQ(entries["dev/console"].type, static_cast<mode_t>(AE_IFCHR));
  EXPECT_EQ(entries["dev/console"].rdev, makedev(5, 1));
  EXPECT_EQ(entries["proc"].type, static_cast<mode_t>(AE_IFDIR));
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
