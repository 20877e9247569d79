#include "host-cli/pod_vm_build.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "common/manifest_reader.h"
#include "image-builder/kernel_initrd_reader.h"
#include "image-builder/run_tool.h"

namespace i2kit {
namespace {

namespace fs = std::filesystem;

std::string ReadAll(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// Builds the example Pod (its image from examples/build-images.sh) with a stand-in kernel
// and agent: building only copies those two, so their bytes need not boot.
class PodVmBuildTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    images_ = new fs::path(fs::temp_directory_path() /
                           ("i2kit-pod-vm-build-images-" + std::to_string(::getpid())));
    Result<ToolOutput> built =
        RunTool({std::string(I2KIT_SOURCE_DIR) + "/examples/build-images.sh", images_->string()});
    ASSERT_TRUE(built.ok()) << built.status().message();
  }
  static void TearDownTestSuite() {
    fs::remove_all(*images_);
    delete images_;
  }
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("i2kit-pod-vm-build-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
    std::ofstream(dir_ / "bzImage") << "a kernel";
    std::ofstream(dir_ / "agent") << "an agent";
    std::ofstream(dir_ / "pod.yml") << "name: web\ncontainers:\n  httpd:\n    image: oci:"
                                    << (*images_ / "busybox-httpd").string() << ":latest\n";
  }
  void TearDown() override { fs::remove_all(dir_); }

  // The system image comes from (or goes to) a cache the suite shares.
  Result<VmArtifacts> Build(const std::string& out) {
    LoadedManifest loaded = LoadManifests({(dir_ / "pod.yml").string()}, {});
    if (!loaded.ok() || loaded.manifest.deployments.empty()) {
      return Status::Error("the test manifest does not load");
    }
    PodVmBuildOptions options;
    options.output_dir = (dir_ / out).string();
    options.kernel = (dir_ / "bzImage").string();
    options.agent = (dir_ / "agent").string();
    options.cache_dir = (*images_ / "cache").string();
    return BuildPodVm(loaded.manifest.deployments.front(), options);
  }

  static fs::path* images_;
  fs::path dir_;
};
fs::path* PodVmBuildTest::images_ = nullptr;

TEST_F(PodVmBuildTest, TheSameInputsGiveByteIdenticalArtifacts) {
  // The system image packed afresh (or from the cache a test before filled), then from the
  // cache: the same bytes. (SquashfsImageTest checks that packing itself is reproducible.)
  Result<VmArtifacts> first = Build("a");
  ASSERT_TRUE(first.ok()) << first.status().message();
  // A newer modification time on an input must not show in any output.
  fs::last_write_time(dir_ / "agent", fs::file_time_type::clock::now() + std::chrono::hours(3));
  Result<VmArtifacts> second = Build("b");
  ASSERT_TRUE(second.ok()) << second.status().message();
  EXPECT_EQ(first->image_digest, second->image_digest);
  EXPECT_EQ(std::distance(fs::directory_iterator(*images_ / "cache/system"), fs::directory_iterator()), 1);
  for (const char* file : {"bzImage", "initrd.img", "rootfs-httpd.erofs", "vm.json"}) {
    std::string a = ReadAll(dir_ / "a/web" / file), b = ReadAll(dir_ / "b/web" / file);
    EXPECT_FALSE(a.empty()) << file;
    EXPECT_TRUE(a == b) << file << " differs between two builds";
  }
}

TEST_F(PodVmBuildTest, ScalingIsNoNewImageButItsRolloutRulesAreRecorded) {
  Result<VmArtifacts> one = Build("a");
  ASSERT_TRUE(one.ok()) << one.status().message();
  std::ofstream(dir_ / "pod.yml", std::ios::app) << "replicas: 4\n";
  Result<VmArtifacts> four = Build("b");
  ASSERT_TRUE(four.ok()) << four.status().message();
  EXPECT_EQ(one->image_digest, four->image_digest);
  Result<VmArtifacts> read = ReadVmArtifacts((dir_ / "b/web").string());
  ASSERT_TRUE(read.ok()) << read.status().message();
  EXPECT_EQ(read->replicas, 4);
  // Kubernetes' defaults, 25% each: surge rounds up to 1, unavailable down to 1.
  EXPECT_EQ(read->max_surge, 1);
  EXPECT_EQ(read->max_unavailable, 1);
  EXPECT_FALSE(read->recreate);
  EXPECT_EQ(read->progress_deadline_seconds, 600);
}

TEST_F(PodVmBuildTest, TheInitrdHoldsTheAgentTheSpecAndRuncAsAMergedUsrImage) {
  Result<VmArtifacts> built = Build("out");
  ASSERT_TRUE(built.ok()) << built.status().message();
  Result<std::map<std::string, test_util::InitrdFile>> read =
      test_util::ReadInitrdLikeTheKernel((dir_ / "out/web/initrd.img").string());
  ASSERT_TRUE(read.ok()) << read.status().message();
  std::map<std::string, test_util::InitrdFile> initrd = std::move(read).value();
  EXPECT_EQ(initrd["init"].data, "an agent");
  nlohmann::json spec = nlohmann::json::parse(initrd["etc/i2kit/pod.json"].data);
  EXPECT_EQ(spec["deployment"]["name"], "web");
  EXPECT_EQ(initrd["usr"].mode & S_IFMT, S_IFDIR);  // where the agent mounts it
  for (const char* dir : {"bin", "lib", "lib64"}) {
    EXPECT_EQ(initrd[dir].mode & S_IFMT, S_IFLNK) << dir;
    EXPECT_EQ(initrd[dir].data, std::string("usr/") + dir);
  }
  // runc is not unpacked into the initrd, only carried inside the system image.
  EXPECT_EQ(initrd.count("usr/bin/runc"), 0u);
  ASSERT_EQ(initrd["system.squashfs"].mode & S_IFMT, S_IFREG);
  EXPECT_EQ(initrd["system.squashfs"].archive, 1);  // compressed already: in the plain archive
  std::ofstream(dir_ / "system.squashfs", std::ios::binary) << initrd["system.squashfs"].data;
  Result<ToolOutput> extracted = RunTool({"unsquashfs", "-no-progress", "-d", (dir_ / "usr").string(),
                                          (dir_ / "system.squashfs").string()});
  ASSERT_TRUE(extracted.ok()) << extracted.status().message();
  EXPECT_EQ(ReadAll(dir_ / "usr/bin/runc"), ReadAll("/usr/sbin/runc"));
  EXPECT_TRUE(fs::exists(dir_ / "usr/lib64/ld-linux-x86-64.so.2"));
  EXPECT_TRUE(fs::exists(dir_ / "usr/lib/x86_64-linux-gnu/libc.so.6"));
}

}  // namespace
}  // namespace i2kit
