#include "image-builder/pod_vm_build.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "common/kernel_cmdline.h"
#include "common/manifest_reader.h"
#include "image-builder/build_key.h"
#include "image-builder/initrd_listing.h"
#include "image-builder/run_tool.h"
#include "image-builder/sha256.h"

namespace i2kit {
namespace {

constexpr const char* kCaBundle = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";

namespace fs = std::filesystem;

std::string ReadAll(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

using testing::ListInitrd;

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
    std::ofstream(dir_ / "reporter") << "a reporter";
    std::ofstream(dir_ / "ca.crt") << kCaBundle;
    std::ofstream(dir_ / "pod.yml") << "name: web\ncontainers:\n  httpd:\n    image: oci:"
                                    << (*images_ / "busybox-httpd").string() << ":latest\n";
  }
  void TearDown() override { fs::remove_all(dir_); }

  // `edit` changes the Deployment read from pod.yml before it is built.
  Result<VmArtifacts> Build(const std::string& out,
                            const std::function<void(Deployment&)>& edit = {},
                            bool* reused = nullptr) {
    LoadedManifest loaded = LoadManifests({(dir_ / "pod.yml").string()}, {});
    if (!loaded.ok() || loaded.manifest.deployments.empty()) {
      return Status::Error("the test manifest does not load");
    }
    if (edit) edit(loaded.manifest.deployments.front());
    PodVmBuildOptions options;
    options.output_dir = (dir_ / out).string();
    options.kernel = (dir_ / "bzImage").string();
    options.agent = (dir_ / "agent").string();
    options.ec2_reporter = (dir_ / "reporter").string();
    options.ca_bundle = (dir_ / "ca.crt").string();
    return BuildPodVm(loaded.manifest.deployments.front(), options, reused);
  }

  static fs::path* images_;
  fs::path dir_;
};
fs::path* PodVmBuildTest::images_ = nullptr;

TEST_F(PodVmBuildTest, TheSameInputsGiveByteIdenticalArtifacts) {
  Result<VmArtifacts> first = Build("a");
  ASSERT_TRUE(first.ok()) << first.status().message();
  // A newer modification time on an input must not show in any output.
  fs::last_write_time(dir_ / "agent", fs::file_time_type::clock::now() + std::chrono::hours(3));
  Result<VmArtifacts> second = Build("b");
  ASSERT_TRUE(second.ok()) << second.status().message();
  EXPECT_EQ(first->image_digest, second->image_digest);
  for (const char* file : {"bzImage", "initrd.img", "rootfs-httpd.erofs", "disk.raw", "vm.json"}) {
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

TEST_F(PodVmBuildTest, AnUnchangedPodIsReusedInUnderASecondAndAScaledOneToo) {
  bool reused = true;
  Result<VmArtifacts> first = Build("a", {}, &reused);
  ASSERT_TRUE(first.ok()) << first.status().message();
  EXPECT_FALSE(reused);
  EXPECT_FALSE(first->build_key.empty());
  fs::file_time_type written = fs::last_write_time(dir_ / "a/web/disk.raw");
  auto start = std::chrono::steady_clock::now();
  Result<VmArtifacts> second = Build("a", {}, &reused);
  std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
  ASSERT_TRUE(second.ok()) << second.status().message();
  EXPECT_TRUE(reused);
  EXPECT_EQ(second->image_digest, first->image_digest);
  EXPECT_EQ(fs::last_write_time(dir_ / "a/web/disk.raw"), written);
  EXPECT_LT(took.count(), 3.0) << "checking an unchanged build took " << took.count() << " s";
  std::cout << "an unchanged Pod checked and reused in " << took.count() << " s\n";
  // More replicas are the same image: reused, with the new count in vm.json.
  Result<VmArtifacts> scaled = Build(
      "a", [](Deployment& d) { d.replicas = 4; }, &reused);
  ASSERT_TRUE(scaled.ok()) << scaled.status().message();
  EXPECT_TRUE(reused);
  Result<VmArtifacts> read = ReadVmArtifacts((dir_ / "a/web").string());
  ASSERT_TRUE(read.ok()) << read.status().message();
  EXPECT_EQ(read->replicas, 4);
  EXPECT_EQ(read->image_digest, first->image_digest);
}

TEST_F(PodVmBuildTest, AVmlinuxBesideTheBzImageIsRecordedWithBothDigestsAndRefreshedOnReuse) {
  Result<VmArtifacts> without = Build("a");
  ASSERT_TRUE(without.ok()) << without.status().message();
  EXPECT_EQ(without->direct_kernel, DirectKernel{});  // a kernel from elsewhere: none
  std::ofstream(dir_ / "vmlinux") << "the same kernel, uncompressed";
  bool reused = false;
  Result<VmArtifacts> with = Build("a", {}, &reused);
  ASSERT_TRUE(with.ok()) << with.status().message();
  EXPECT_TRUE(reused);  // the vmlinux is no part of the image
  Result<VmArtifacts> read = ReadVmArtifacts((dir_ / "a/web").string());
  ASSERT_TRUE(read.ok()) << read.status().message();
  EXPECT_EQ(read->direct_kernel.path, fs::absolute(dir_ / "vmlinux").lexically_normal().string());
  EXPECT_EQ(read->direct_kernel.sha256, *Sha256Of("the same kernel, uncompressed"));
  EXPECT_EQ(read->direct_kernel.kernel_sha256, *Sha256Of("a kernel"));
  EXPECT_EQ(read->image_digest, without->image_digest);
}

TEST_F(PodVmBuildTest, EachChangedInputOfTheImageBuildsItAgain) {
  ASSERT_TRUE(Build("a").ok());
  bool reused = true;
  std::map<std::string, std::function<void()>> changes = {
      {"an environment value",
       [&] {
         std::ofstream(dir_ / "pod.yml", std::ios::app) << "    environment: [GREETING=bonjour]\n";
       }},
      {"the kernel", [&] { std::ofstream(dir_ / "bzImage") << "a new kernel"; }},
      {"the agent", [&] { std::ofstream(dir_ / "agent") << "a new agent"; }},
      {"the reporter", [&] { std::ofstream(dir_ / "reporter") << "a new reporter"; }},
      {"the CA bundle", [&] { std::ofstream(dir_ / "ca.crt", std::ios::app) << kCaBundle; }},
      {"a deleted disk", [&] { fs::remove(dir_ / "a/web/disk.raw"); }},
  };
  for (const auto& [what, change] : changes) {
    change();
    Result<VmArtifacts> rebuilt = Build("a", {}, &reused);
    ASSERT_TRUE(rebuilt.ok()) << what << ": " << rebuilt.status().message();
    EXPECT_FALSE(reused) << what << " changed, and the build was reused";
    Result<VmArtifacts> again = Build("a", {}, &reused);
    ASSERT_TRUE(again.ok()) << what << ": " << again.status().message();
    EXPECT_TRUE(reused) << what << ": the build after the rebuild was not reused";
  }
}

TEST_F(PodVmBuildTest, AnotherImageDigestIsAnotherBuildKey) {
  LoadedManifest loaded = LoadManifests({(dir_ / "pod.yml").string()}, {});
  ASSERT_TRUE(loaded.ok());
  PodVmBuildOptions options;
  options.kernel = (dir_ / "bzImage").string();
  options.agent = (dir_ / "agent").string();
  options.ec2_reporter = (dir_ / "reporter").string();
  options.ca_bundle = (dir_ / "ca.crt").string();
  Deployment& d = loaded.manifest.deployments.front();
  Result<std::optional<std::string>> key = BuildKeyFor(d, options);
  ASSERT_TRUE(key.ok() && key->has_value()) << key.status().message();
  // The same layout, its tag moved to another manifest: the key reads index.json only.
  fs::copy(*images_ / "busybox-httpd", dir_ / "moved", fs::copy_options::recursive);
  std::string index = ReadAll(dir_ / "moved/index.json");
  size_t at = index.find("sha256:") + 7;
  index[at] = index[at] == '0' ? '1' : '0';
  std::ofstream(dir_ / "moved/index.json", std::ios::trunc) << index;
  d.containers.front().image.path = (dir_ / "moved").string();
  Result<std::optional<std::string>> moved = BuildKeyFor(d, options);
  ASSERT_TRUE(moved.ok() && moved->has_value()) << moved.status().message();
  EXPECT_NE(**moved, **key);
  d.containers.front().image.path = (*images_ / "busybox-httpd").string();
  Result<std::optional<std::string>> back = BuildKeyFor(d, options);
  ASSERT_TRUE(back.ok() && back->has_value());
  EXPECT_EQ(**back, **key);
}

TEST_F(PodVmBuildTest, TheInitrdHoldsTheAgentTheSpecAndRuncAsAMergedUsrImage) {
  Result<VmArtifacts> built = Build("out");
  ASSERT_TRUE(built.ok()) << built.status().message();
  std::map<std::string, testing::InitrdEntry> initrd = ListInitrd(dir_ / "out/web/initrd.img");
  EXPECT_EQ(initrd["init"].data, "an agent");
  nlohmann::json spec = nlohmann::json::parse(initrd["etc/i2kit/pod.json"].data);
  EXPECT_EQ(spec["deployment"]["name"], "web");
  EXPECT_EQ(initrd["usr"].type, static_cast<mode_t>(AE_IFDIR));  // where the agent mounts it
  for (const char* dir : {"bin", "lib", "lib64"}) {
    EXPECT_EQ(initrd[dir].type, static_cast<mode_t>(AE_IFLNK)) << dir;
    EXPECT_EQ(initrd[dir].data, std::string("usr/") + dir);
  }
  // runc is not unpacked into the initrd, only carried inside the system image.
  EXPECT_EQ(initrd.count("usr/bin/runc"), 0u);
  ASSERT_EQ(initrd["system.erofs"].type, static_cast<mode_t>(AE_IFREG));
  std::ofstream(dir_ / "system.erofs", std::ios::binary) << initrd["system.erofs"].data;
  Result<ToolOutput> extracted = RunTool(
      {"fsck.erofs", "--extract=" + (dir_ / "usr").string(), (dir_ / "system.erofs").string()});
  ASSERT_TRUE(extracted.ok()) << extracted.status().message();
  EXPECT_EQ(ReadAll(dir_ / "usr/bin/runc"), ReadAll("/usr/sbin/runc"));
  EXPECT_TRUE(fs::exists(dir_ / "usr/lib64/ld-linux-x86-64.so.2"));
  EXPECT_TRUE(fs::exists(dir_ / "usr/lib/x86_64-linux-gnu/libc.so.6"));
}

TEST_F(PodVmBuildTest, TheBootDiskCarriesEachRootAsAPartitionNamedAfterItsContainer) {
  Result<VmArtifacts> built = Build("out");
  ASSERT_TRUE(built.ok()) << built.status().message();
  Result<VmArtifacts> read = ReadVmArtifacts((dir_ / "out/web").string());
  ASSERT_TRUE(read.ok()) << read.status().message();
  EXPECT_EQ(read->boot_disk, "disk.raw");
  // What each holds is kernel_cmdline_test's.
  EXPECT_EQ(read->cmdline, pod_vm::DirectBootCmdline());
  EXPECT_EQ(read->boot_cmdline, pod_vm::BootDiskCmdline());
  std::map<std::string, testing::InitrdEntry> initrd = ListInitrd(dir_ / "out/web/initrd.img");
  nlohmann::json spec = nlohmann::json::parse(initrd["etc/i2kit/pod.json"].data);
  EXPECT_EQ(spec["images"][0]["rootfsPartition"], "httpd");
  fs::path disk = dir_ / "out/web/disk.raw";
  Result<ToolOutput> dump = RunTool({"sfdisk", "--json", disk.string()});
  ASSERT_TRUE(dump.ok()) << dump.status().message();
  nlohmann::json partitions = nlohmann::json::parse(dump->out)["partitiontable"]["partitions"];
  ASSERT_EQ(partitions.size(), 3u);
  EXPECT_EQ(partitions[0]["name"], "EFI System");
  EXPECT_EQ(partitions[1]["name"], "httpd");
  std::string root = ReadAll(dir_ / "out/web/rootfs-httpd.erofs");
  EXPECT_EQ(ReadAll(disk).substr(partitions[1]["start"].get<size_t>() * 512, root.size()), root);

  // The EC2 partition: the reporter and the CA bundle where the agent looks for them.
  EXPECT_EQ(partitions[2]["name"], "i2kit ec2");
  std::string ec2 = ReadAll(disk).substr(partitions[2]["start"].get<size_t>() * 512,
                                         partitions[2]["size"].get<size_t>() * 512);
  std::ofstream(dir_ / "ec2.erofs", std::ios::binary) << ec2;
  Result<ToolOutput> extracted = RunTool(
      {"fsck.erofs", "--extract=" + (dir_ / "ec2").string(), (dir_ / "ec2.erofs").string()});
  ASSERT_TRUE(extracted.ok()) << extracted.status().message();
  EXPECT_EQ(ReadAll(dir_ / "ec2/bin/i2kit-ec2-reporter"), "a reporter");
  EXPECT_EQ(fs::status(dir_ / "ec2/bin/i2kit-ec2-reporter").permissions(), fs::perms(0755));
  EXPECT_EQ(ReadAll(dir_ / "ec2/etc/ssl/certs/ca-certificates.crt"), kCaBundle);
}

TEST_F(PodVmBuildTest, InitContainersGetTheirRootsAfterTheAppContainers) {
  Result<VmArtifacts> built = Build("out", [](Deployment& d) {
    Container prepare = d.containers[0];
    prepare.name = "prepare";
    Container side = d.containers[0];
    side.name = "side";
    side.restart_always = true;
    d.init_containers = {prepare, side};
  });
  ASSERT_TRUE(built.ok()) << built.status().message();
  EXPECT_EQ(built->disks, (std::vector<std::string>{"rootfs-httpd.erofs", "rootfs-prepare.erofs",
                                                    "rootfs-side.erofs"}));
  std::map<std::string, testing::InitrdEntry> initrd = ListInitrd(dir_ / "out/web/initrd.img");
  nlohmann::json spec = nlohmann::json::parse(initrd["etc/i2kit/pod.json"].data);
  ASSERT_EQ(spec["images"].size(), 3u);
  EXPECT_EQ(spec["images"][1]["rootfsDevice"], "/dev/vdb");
  EXPECT_EQ(spec["images"][2]["rootfsPartition"], "side");
  Result<ToolOutput> dump = RunTool({"sfdisk", "--json", (dir_ / "out/web/disk.raw").string()});
  ASSERT_TRUE(dump.ok()) << dump.status().message();
  nlohmann::json partitions = nlohmann::json::parse(dump->out)["partitiontable"]["partitions"];
  ASSERT_EQ(partitions.size(), 5u);
  EXPECT_EQ(partitions[2]["name"], "prepare");
  EXPECT_EQ(partitions[3]["name"], "side");
}

TEST_F(PodVmBuildTest, ANewReporterIsANewImage) {
  Result<VmArtifacts> before = Build("a");
  ASSERT_TRUE(before.ok()) << before.status().message();
  std::ofstream(dir_ / "reporter") << "a fixed reporter";
  Result<VmArtifacts> after = Build("b");
  ASSERT_TRUE(after.ok()) << after.status().message();
  // The AMI is reused by digest: it must not be reused for a disk with another reporter.
  EXPECT_NE(before->image_digest, after->image_digest);
}

TEST_F(PodVmBuildTest, ACaBundleWithoutACertificateIsRefusedAtBuild) {
  std::ofstream(dir_ / "ca.crt") << "not a certificate\n";
  Result<VmArtifacts> artifacts = Build("a");
  ASSERT_FALSE(artifacts.ok());
  EXPECT_NE(artifacts.status().message().find("holds no PEM certificate"), std::string::npos)
      << artifacts.status().message();
  EXPECT_FALSE(fs::exists(dir_ / "a" / "web")) << "a failed build left artifacts behind";
}

}  // namespace
}  // namespace i2kit
