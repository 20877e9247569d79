// A container's writable layer: its size and, with real mounts in a mount namespace of the
// test's own (needs root; skipped otherwise), that every start gets an empty one.
#include "guest-agent/container_root.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <functional>
#include <string>

#include "guest-agent/test_temp_dir.h"

namespace i2kit {
namespace {

constexpr int64_t kMiB = 1 << 20;

TEST(ContainerRootTest, WritableLayerHoldsTheMemoryLimitWhenThereIsOne) {
  EXPECT_EQ(WritableLayerBytes(32 * kMiB, 64 * kMiB), uint64_t{32 * kMiB});
}

TEST(ContainerRootTest, WritableLayerHoldsAnEighthOfTheVmWithoutAMemoryLimit) {
  EXPECT_EQ(WritableLayerBytes(std::nullopt, 64 * kMiB), uint64_t{8 * kMiB});
  EXPECT_EQ(WritableLayerBytes(0, 64 * kMiB), uint64_t{8 * kMiB});
}

// Runs `body` in a child process with a private mount namespace; its exit code is the number
// of failed checks (or 100 when the namespace cannot be made).
int InMountNamespace(const std::function<int()>& body) {
  pid_t pid = ::fork();
  if (pid == 0) {
    if (::unshare(CLONE_NEWNS) != 0 ||
        ::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0) {
      ::_exit(100);
    }
    ::_exit(body());
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 101;
}

bool Exists(const std::string& path) {
  return ::access(path.c_str(), F_OK) == 0;
}

// Writes until a write fails, or 16 MiB (then returns 0); returns that errno.
int FillFile(const std::string& path) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return errno;
  static char block[65536];
  int64_t written = 0;
  ssize_t n;
  while ((n = ::write(fd, block, sizeof block)) > 0 && (written += n) < 16 * kMiB) {
  }
  int err = n > 0 ? 0 : errno;
  ::close(fd);
  return err;
}

TEST(ContainerRootTest, EveryStartGetsAnEmptyWritableLayerOfItsSize) {
  if (::geteuid() != 0) GTEST_SKIP() << "mounts need root";
  guest_test::TempDir dir;
  dir.Write("image/bin/app", "the image's\n");
  ContainerRootPaths paths;
  paths.image = (dir.path() / "image").string();
  paths.rootfs = (dir.path() / "rootfs").string();
  paths.layer = (dir.path() / "layer").string();
  paths.layer_bytes = 1 * kMiB;
  std::filesystem::create_directories(paths.rootfs);
  std::filesystem::create_directories(paths.layer);
  int failures = InMountNamespace([&] {
    int failed = 0;
    failed += !FreshWritableLayer(paths).ok();
    failed += !Exists(paths.rootfs + "/bin/app");
    dir.Write("rootfs/written", "by the first start");
    failed += FillFile(paths.rootfs + "/fill") != ENOSPC;
    failed += !FreshWritableLayer(paths).ok();
    failed += Exists(paths.rootfs + "/written");
    failed += Exists(paths.rootfs + "/fill");
    failed += !Exists(paths.rootfs + "/bin/app");
    failed += !Exists(paths.image + "/bin/app");  // the image is never written
    failed += Exists(paths.image + "/written");
    return failed;
  });
  if (failures == 100) GTEST_SKIP() << "no mount namespace here";
  EXPECT_EQ(failures, 0);
}

TEST(ContainerRootTest, AReadOnlyRootHasNoWritableLayer) {
  ContainerRootPaths paths;
  paths.image = paths.rootfs = "/nonexistent/image";
  EXPECT_TRUE(FreshWritableLayer(paths).ok());
}

}  // namespace
}  // namespace i2kit
