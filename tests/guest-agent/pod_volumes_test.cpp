#include "guest-agent/pod_volumes.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "guest-agent/test_temp_dir.h"

namespace i2kit {
namespace {

using guest_test::TempDir;

std::vector<ConfigObject> ConfigMaps() {
  return {
      {"shop-config",
       {{"greeting", "hello"}, {"app.properties", "color=blue\n"}, {"blob.bin", {"\0\1\2\xff", 4}}},
       {}}};
}

Volume ConfigVolume() {
  Volume v;
  v.name = "config";
  v.type = VolumeType::kConfigMap;
  v.object_name = "shop-config";
  v.default_mode = 0444;
  return v;
}

int ModeOf(const std::filesystem::path& p) {
  struct stat st {};
  EXPECT_EQ(::lstat(p.c_str(), &st), 0) << p;
  return st.st_mode & 07777;
}

std::string Read(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

TEST(PodVolumesTest, PathsMustStayRelativeAndInside) {
  EXPECT_TRUE(CheckVolumePath("conf/app.properties").ok());
  EXPECT_TRUE(CheckVolumePath("..data").ok());  // a name, not a parent
  for (const char* bad : {"", "/etc/passwd", "../x", "a/../../x", "a//b", "a/./b", "a/", ".."}) {
    EXPECT_FALSE(CheckVolumePath(bad).ok()) << bad;
  }
}

TEST(PodVolumesTest, AConfigMapWithoutItemsHasOneFilePerKeyInTheDefaultMode) {
  std::vector<ConfigObject> maps = ConfigMaps();
  Result<std::vector<VolumeFile>> files = VolumeFiles(ConfigVolume(), {&maps, nullptr});
  ASSERT_TRUE(files.ok()) << files.status().message();
  ASSERT_EQ(files->size(), 3u);
  EXPECT_EQ((*files)[1].path, "blob.bin");
  EXPECT_EQ((*files)[1].content, std::string("\0\1\2\xff", 4));
  EXPECT_EQ((*files)[1].mode, 0444);
}

TEST(PodVolumesTest, ItemsChoosePathsAndModes) {
  std::vector<ConfigObject> maps = ConfigMaps();
  Volume v = ConfigVolume();
  v.items = {{"conf/app.properties", 0440, "app.properties", {}},
             {"g", std::nullopt, "greeting", {}}};
  Result<std::vector<VolumeFile>> files = VolumeFiles(v, {&maps, nullptr});
  ASSERT_TRUE(files.ok()) << files.status().message();
  ASSERT_EQ(files->size(), 2u);
  EXPECT_EQ((*files)[0].path, "conf/app.properties");
  EXPECT_EQ((*files)[0].mode, 0440);
  EXPECT_EQ((*files)[1].mode, 0444);
}

TEST(PodVolumesTest, MissingObjectsAndKeysAreErrorsUnlessOptional) {
  std::vector<ConfigObject> maps = ConfigMaps();
  Volume v = ConfigVolume();
  v.object_name = "no-such-config";
  EXPECT_EQ(VolumeFiles(v, {&maps, nullptr}).status().message(),
            "volume config: ConfigMap no-such-config not found");
  v.optional = true;
  ASSERT_TRUE(VolumeFiles(v, {&maps, nullptr}).ok());
  EXPECT_TRUE(VolumeFiles(v, {&maps, nullptr})->empty());
  v = ConfigVolume();
  v.type = VolumeType::kSecret;
  v.object_name = "shop-config";  // not among the secrets: a Secret is never a ConfigMap
  EXPECT_FALSE(VolumeFiles(v, {&maps, nullptr}).ok());
  v = ConfigVolume();
  v.items = {{"x", std::nullopt, "no-such-key", {}}};
  EXPECT_FALSE(VolumeFiles(v, {&maps, nullptr}).ok());
}

TEST(PodVolumesTest, AnItemPathThatEscapesIsRefusedEvenIfTheReaderMissedIt) {
  std::vector<ConfigObject> maps = ConfigMaps();
  Volume v = ConfigVolume();
  v.items = {{"../../etc/passwd", std::nullopt, "greeting", {}}};
  EXPECT_FALSE(VolumeFiles(v, {&maps, nullptr}).ok());
  TempDir dir;
  EXPECT_FALSE(WriteVolumeFiles(dir.path(), {{"../escaped", "x", 0644}}).ok());
  EXPECT_FALSE(std::filesystem::exists(dir.path().parent_path() / "escaped"));
}

TEST(PodVolumesTest, DownwardApiFilesHoldThePodsFields) {
  PodFacts facts;
  facts.name = "shop-0";
  facts.labels = {{"app", "shop"}, {"tier", "web"}};
  Deployment pod;
  Container web;
  web.name = "web";
  web.resources.limits.memory_bytes = int64_t{64} << 20;
  pod.containers = {web};
  Volume v;
  v.name = "podinfo";
  v.type = VolumeType::kDownwardApi;
  VolumeItem labels{"labels", std::nullopt, "", {}}, name{"name", 0400, "", {}},
      memory{"mem_limit", std::nullopt, "", {}};
  labels.field.field_path = "metadata.labels";
  name.field.field_path = "metadata.name";
  memory.field = {"", "limits.memory", "web", 1 << 20};
  v.items = {labels, name, memory};
  Result<std::vector<VolumeFile>> files = VolumeFiles(v, {nullptr, nullptr, &facts, &pod});
  ASSERT_TRUE(files.ok()) << files.status().message();
  EXPECT_EQ((*files)[0].content, "app=\"shop\"\ntier=\"web\"");
  EXPECT_EQ((*files)[1].content, "shop-0");
  EXPECT_EQ((*files)[1].mode, 0400);
  EXPECT_EQ((*files)[2].content, "64");
}

TEST(PodVolumesTest, FilesAreWrittenWithExactModesWhateverTheUmask) {
  TempDir dir;
  mode_t old = ::umask(077);
  Status s = WriteVolumeFiles(dir.path(), {{"conf/app.properties", "color=blue\n", 0440},
                                           {"blob.bin", {"\0\1", 2}, 0644},
                                           {"blob.bin", "second", 0604}});
  ::umask(old);
  ASSERT_TRUE(s.ok()) << s.message();
  EXPECT_EQ(ModeOf(dir.path() / "conf/app.properties"), 0440);
  EXPECT_EQ(Read(dir.path() / "conf/app.properties"), "color=blue\n");
  EXPECT_EQ(ModeOf(dir.path() / "blob.bin"), 0604);  // replaced by rename, atomically
  EXPECT_EQ(Read(dir.path() / "blob.bin"), "second");
  EXPECT_EQ(ModeOf(dir.path() / "conf"), 0755);
  // No temporary is left behind.
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir.path()), {}), 2);
}

TEST(PodVolumesTest, FsGroupGivesGroupAccessAndSetgidDirectories) {
  TempDir dir;
  ASSERT_TRUE(WriteVolumeFiles(dir.path(), {{"a/secret", "x", 0400}, {"b", "y", 0600}}).ok());
  ASSERT_EQ(::chmod(dir.path().c_str(), 0755), 0);
  const gid_t gid = ::getgid();  // one we may chown to without root
  ASSERT_TRUE(ApplyFsGroup(dir.path(), gid, /*read_only=*/true, false).ok());
  EXPECT_EQ(ModeOf(dir.path() / "a/secret"), 0440);  // as the kubelet: 0400 becomes 0440
  EXPECT_EQ(ModeOf(dir.path() / "b"), 0640);
  EXPECT_EQ(ModeOf(dir.path() / "a"), 02755);
  EXPECT_EQ(ModeOf(dir.path()), 02755);
  ASSERT_TRUE(ApplyFsGroup(dir.path() / "a", gid, /*read_only=*/false, false).ok());
  EXPECT_EQ(ModeOf(dir.path() / "a/secret"), 0660);
}

TEST(PodVolumesTest, OnRootMismatchLeavesAVolumeWhoseRootMatches) {
  TempDir dir;
  ASSERT_TRUE(WriteVolumeFiles(dir.path(), {{"f", "x", 0600}}).ok());
  ASSERT_EQ(::chmod(dir.path().c_str(), 02770), 0);
  ASSERT_TRUE(ApplyFsGroup(dir.path(), ::getgid(), false, /*on_root_mismatch=*/true).ok());
  EXPECT_EQ(ModeOf(dir.path() / "f"), 0600);  // untouched: the root already matched
  ASSERT_EQ(::chmod(dir.path().c_str(), 0700), 0);
  ASSERT_TRUE(ApplyFsGroup(dir.path(), ::getgid(), false, /*on_root_mismatch=*/true).ok());
  EXPECT_EQ(ModeOf(dir.path() / "f"), 0660);
}

TEST(PodVolumesTest, ASubPathIsMadeInAnEmptyDirAndMayNotLeaveTheVolume) {
  TempDir dir;
  std::filesystem::path volume = dir.path() / "shared";
  std::filesystem::create_directories(volume);
  ASSERT_EQ(::chmod(volume.c_str(), 02777), 0);
  Result<std::string> made = SubPathSource(volume, "logs/web", true);
  ASSERT_TRUE(made.ok()) << made.status().message();
  EXPECT_EQ(ModeOf(volume / "logs/web"), 02777);
  EXPECT_FALSE(SubPathSource(volume, "absent", false).ok());
  std::filesystem::create_directory_symlink("/", volume / "escape");
  Result<std::string> escaped = SubPathSource(volume, "escape", false);
  ASSERT_FALSE(escaped.ok());
  EXPECT_EQ(escaped.status().message(), "subPath 'escape' leaves its volume");
  EXPECT_FALSE(SubPathSource(volume, "../shared", false).ok());
}

TEST(PodVolumesTest, MountsAreOrderedParentsFirstAndContentVolumesReadOnly) {
  Deployment pod;
  Volume shared, config = ConfigVolume();
  shared.name = "shared";
  pod.volumes = {shared, config};
  Container c;
  c.volume_mounts = {{"shared", "/etc/shop/cache", false, ""}, {"config", "/etc/shop", false, ""}};
  PodVolumes volumes;
  volumes.paths = {{"shared", "/v/shared"}, {"config", "/v/config"}};
  Result<std::vector<ContainerMount>> mounts = ContainerVolumeMounts(c, pod, volumes, "/unused");
  ASSERT_TRUE(mounts.ok()) << mounts.status().message();
  ASSERT_EQ(mounts->size(), 2u);
  EXPECT_EQ((*mounts)[0].destination, "/etc/shop");
  EXPECT_TRUE((*mounts)[0].read_only);
  EXPECT_EQ((*mounts)[1].source, "/v/shared");
  EXPECT_FALSE((*mounts)[1].read_only);
  volumes.errors["config"] = "volume config: ConfigMap shop-config not found";
  EXPECT_EQ(ContainerVolumeMounts(c, pod, volumes, "/unused").status().message(),
            "volume config: ConfigMap shop-config not found");
}

TEST(PodVolumesTest, APersistentVolumeIsWritableAndItsPathIsTheDisksMountPoint) {
  Deployment pod;
  Volume data;
  data.name = "data";
  data.type = VolumeType::kPersistent;
  data.size_bytes = int64_t{1} << 30;
  pod.volumes = {data};
  Container c;
  c.volume_mounts = {{"data", "/var/lib/postgresql/data", false, ""}};
  PodVolumes volumes;
  EXPECT_EQ(ContainerVolumeMounts(c, pod, volumes, "/unused").status().message(),
            "volume data is not mounted");
  volumes.paths = {{"data", "/run/i2kit/persistent/data"}};
  Result<std::vector<ContainerMount>> mounts = ContainerVolumeMounts(c, pod, volumes, "/unused");
  ASSERT_TRUE(mounts.ok()) << mounts.status().message();
  ASSERT_EQ(mounts->size(), 1u);
  EXPECT_EQ((*mounts)[0].source, "/run/i2kit/persistent/data");
  EXPECT_FALSE((*mounts)[0].read_only);
}

TEST(PodVolumesTest, MountPodVolumesLeavesPersistentVolumesToTheirDisks) {
  Volume data;
  data.name = "data";
  data.type = VolumeType::kPersistent;
  Result<std::vector<VolumeFile>> files = VolumeFiles(data, EnvSources{});
  ASSERT_TRUE(files.ok()) << files.status().message();
  EXPECT_TRUE(files->empty());
  Deployment pod;
  pod.volumes = {data};
  TempDir dir;
  // No tmpfs is made in its place: the agent adds the disk's mount point itself.
  Result<PodVolumes> volumes = MountPodVolumes(dir.path().string(), pod, EnvSources{}, 0);
  ASSERT_TRUE(volumes.ok()) << volumes.status().message();
  EXPECT_TRUE(volumes->paths.empty());
  EXPECT_TRUE(volumes->errors.empty());
}

TEST(PodVolumesTest, AnEmptyDirWithoutSizeLimitGetsAnEighthOfTheVm) {
  EXPECT_EQ(DefaultEmptyDirBytes(int64_t{512} << 20), int64_t{64} << 20);
}

}  // namespace
}  // namespace i2kit
