// The containerd image source against a real, private containerd: its own root, state and
// socket under a temporary directory, so it never meets a system containerd. Needs root and
// Debian's containerd package; skipped (saying why) without them.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include "image-builder/containerd_image_source.h"
#include "image-builder/docker_archive.h"
#include "image-builder/image_builder_test_util.h"
#include "image-builder/layer_flattener.h"
#include "image-builder/oci_image_layout.h"
#include "image-builder/run_tool.h"
#include "image-builder/sha256.h"

namespace i2kit {
namespace {

namespace fs = std::filesystem;
using test_util::TempDir;

constexpr const char* kNamespace = "i2kit-test";

// Only the plugins an image store needs: no CRI (it would want CNI and a runtime), no /opt
// plugin directory, no snapshotters this machine may lack (images are imported --no-unpack).
constexpr const char* kDisabledPlugins =
    R"("io.containerd.grpc.v1.cri", "io.containerd.internal.v1.opt",)"
    R"( "io.containerd.snapshotter.v1.aufs", "io.containerd.snapshotter.v1.btrfs",)"
    R"( "io.containerd.snapshotter.v1.devmapper", "io.containerd.snapshotter.v1.zfs",)"
    R"( "io.containerd.tracing.processor.v1.otlp", "io.containerd.internal.v1.tracing")";

bool Installed(const char* tool) {
  return RunTool({tool, "--version"}).ok();
}

class ContainerdIntegrationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (::geteuid() != 0) GTEST_SKIP() << "containerd needs root; run the tests as root";
    if (!Installed("containerd") || !Installed("ctr")) {
      GTEST_SKIP() << "containerd is not installed (apt-get install containerd)";
    }
    test_util::WriteFile(config_, "version = 2\nroot = \"" + (dir() / "root").string() +
                                      "\"\nstate = \"" + (dir() / "state").string() +
                                      "\"\ndisabled_plugins = [" + kDisabledPlugins +
                                      "]\n[grpc]\n  address = \"" + socket_ +
                                      "\"\n[ttrpc]\n  address = \"" + socket_ + ".ttrpc\"\n");
    StartDaemon();
  }

  void TearDown() override {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGTERM);
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    int status = 0;
    while (::waitpid(pid_, &status, WNOHANG) == 0) {
      if (std::chrono::steady_clock::now() > deadline) {
        ::kill(pid_, SIGKILL);
        ::waitpid(pid_, &status, 0);
        ADD_FAILURE() << "containerd ignored SIGTERM for 5 s";
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }

  // Starts containerd and waits for its socket: it listens only once its plugins are loaded.
  void StartDaemon() {
    std::string log = (dir() / "containerd.log").string();
    std::vector<std::string> argv = {"containerd", "--config", config_.string()};
    std::vector<char*> args;
    for (std::string& arg : argv) args.push_back(arg.data());
    args.push_back(nullptr);
    pid_ = ::fork();
    ASSERT_GE(pid_, 0) << std::strerror(errno);
    if (pid_ == 0) {
      // Only async-signal-safe calls here. A test that crashes takes the daemon with it.
      ::prctl(PR_SET_PDEATHSIG, SIGKILL);
      int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      if (fd >= 0) {
        ::dup2(fd, 1);
        ::dup2(fd, 2);
      }
      ::execvp(args[0], args.data());
      ::_exit(127);
    }
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (!fs::exists(socket_)) {
      int status = 0;
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        FAIL() << "containerd exited at start: " << test_util::ReadFile(log);
      }
      if (std::chrono::steady_clock::now() > deadline) {
        FAIL() << "containerd did not listen within 10 s: " << test_util::ReadFile(log);
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }

  // `ctr images import` of `archive` into the test namespace, as-is (no snapshot).
  void Import(const fs::path& archive, const std::vector<std::string>& options = {}) {
    std::vector<std::string> argv = {"ctr",      "--address", socket_,  "--namespace",
                                     kNamespace, "images",    "import", "--no-unpack"};
    argv.insert(argv.end(), options.begin(), options.end());
    argv.push_back(archive.string());
    Result<ToolOutput> imported = RunTool(argv);
    ASSERT_TRUE(imported.ok()) << imported.status().message();
  }

  // The example busybox-httpd OCI layout, imported as a tar under `base_name` (its tag "latest"
  // appended); containerd stores its manifest and gzip layers unchanged.
  void ImportExampleLayout(const std::string& base_name) {
    fs::path archive = dir() / "layout.tar";
    Result<ToolOutput> packed =
        RunTool({"tar", "-C", ExampleLayout().string(), "-cf", archive.string(), "."});
    ASSERT_TRUE(packed.ok()) << packed.status().message();
    Import(archive, {"--base-name", base_name});
  }
  static fs::path ExampleLayout() { return test_util::ExampleImages() / "busybox-httpd"; }

  Result<ResolvedImage> ReadFromContainerd(std::string_view reference, PullPolicy pull) {
    Result<ImageReference> ref = ParseImageReference(reference);
    if (!ref.ok()) return ref.status();
    ContainerdOptions options;
    options.address = socket_;
    options.namespace_name = kNamespace;
    options.pull = pull;
    fs::create_directories(dir() / "containerd-blobs");
    return ReadContainerdImage(*ref, options, dir() / "containerd-blobs");
  }

  // The listing of `image` flattened into a fresh directory.
  std::string Flattened(const ResolvedImage& image, const std::string& name) {
    fs::path root = dir() / ("root-" + name);
    fs::create_directories(root);
    Result<FlattenSummary> flat = FlattenLayers(image.layers, root);
    EXPECT_TRUE(flat.ok()) << flat.status().message();
    return test_util::DescribeTree(root);
  }

  // Same config and layers (by digest and compression) and the same root once flattened.
  void ExpectSameImage(const ResolvedImage& from_containerd, const ResolvedImage& expected) {
    EXPECT_EQ(from_containerd.config_digest, expected.config_digest);
    EXPECT_EQ(from_containerd.config, expected.config);
    ASSERT_EQ(from_containerd.layers.size(), expected.layers.size());
    for (size_t i = 0; i < expected.layers.size(); ++i) {
      EXPECT_EQ(from_containerd.layers[i].digest, expected.layers[i].digest);
      EXPECT_EQ(from_containerd.layers[i].size, expected.layers[i].size);
      EXPECT_EQ(from_containerd.layers[i].compression, expected.layers[i].compression);
      EXPECT_EQ(from_containerd.layers[i].path.parent_path(), dir() / "containerd-blobs");
    }
    std::string listing = Flattened(from_containerd, "containerd");
    EXPECT_NE(listing.find("bin/busybox"), std::string::npos) << listing;
    EXPECT_EQ(listing, Flattened(expected, "expected"));
  }

  const fs::path& dir() const { return tmp_.path(); }

  TempDir tmp_;
  fs::path config_ = tmp_.path() / "config.toml";
  std::string socket_ = (tmp_.path() / "c.sock").string();
  pid_t pid_ = -1;
};

// `ctr import` keeps a docker archive's uncompressed layers under a Docker media type of its
// own; what comes out must be the very image the archive holds.
TEST_F(ContainerdIntegrationTest, ReadsAnImportedDockerArchiveAsTheArchiveItself) {
  fs::path archive = test_util::ExampleImages() / "busybox-httpd.tar";
  Import(archive);
  ASSERT_FALSE(HasFatalFailure());
  Result<ResolvedImage> stored = ReadFromContainerd("busybox-httpd:latest", PullPolicy::kNever);
  ASSERT_TRUE(stored.ok()) << stored.status().message();
  fs::create_directories(dir() / "archive-blobs");
  Result<ResolvedImage> direct =
      ReadDockerArchive(archive, "busybox-httpd:latest", dir() / "archive-blobs");
  ASSERT_TRUE(direct.ok()) << direct.status().message();
  EXPECT_TRUE(IsSha256Digest(stored->manifest_digest));  // containerd wrote one
  ExpectSameImage(*stored, *direct);
}

// An OCI layout, imported as a tar: containerd stores its manifest and gzip layers unchanged.
TEST_F(ContainerdIntegrationTest, ReadsAnImportedOciLayoutAsTheLayoutItself) {
  ImportExampleLayout("docker.io/i2kit-test/busybox-httpd");
  ASSERT_FALSE(HasFatalFailure());
  Result<ResolvedImage> stored =
      ReadFromContainerd("i2kit-test/busybox-httpd:latest", PullPolicy::kNever);
  ASSERT_TRUE(stored.ok()) << stored.status().message();
  Result<ResolvedImage> direct = ReadOciImageLayout(ExampleLayout(), "latest");
  ASSERT_TRUE(direct.ok()) << direct.status().message();
  EXPECT_EQ(stored->manifest_digest, direct->manifest_digest);
  ASSERT_FALSE(stored->layers.empty());
  EXPECT_EQ(stored->layers[0].compression, LayerCompression::kGzip);
  ExpectSameImage(*stored, *direct);
}

TEST_F(ContainerdIntegrationTest, AMissingImageWithoutPullingIsAClearError) {
  Result<ResolvedImage> image = ReadFromContainerd("busybox:1.36", PullPolicy::kNever);
  ASSERT_FALSE(image.ok());
  EXPECT_EQ(image.status().message(),
            "image docker.io/library/busybox:1.36 (containerd namespace i2kit-test): not in "
            "containerd's image store; imagePullPolicy Never does not pull it");
}

// With Always, the registry has the last word even over an image containerd holds: nothing
// listens on port 1, so the fetch fails, where IfNotPresent reads the stored image.
TEST_F(ContainerdIntegrationTest, AnImageContainerdHoldsIsFetchedAgainWhenThePolicyIsAlways) {
  ImportExampleLayout("127.0.0.1:1/i2kit-test/busybox-httpd");
  ASSERT_FALSE(HasFatalFailure());

  Result<ResolvedImage> always =
      ReadFromContainerd("127.0.0.1:1/i2kit-test/busybox-httpd:latest", PullPolicy::kAlways);
  ASSERT_FALSE(always.ok());
  const std::string& message = always.status().message();
  EXPECT_TRUE(message.starts_with(
      "image 127.0.0.1:1/i2kit-test/busybox-httpd:latest (containerd namespace i2kit-test): "
      "imagePullPolicy Always (Kubernetes' default for :latest) fetches it from its registry, "
      "and that failed: ctr exited with status 1: "))
      << message;
  EXPECT_NE(message.find("connection refused"), std::string::npos) << message;

  Result<ResolvedImage> stored =
      ReadFromContainerd("127.0.0.1:1/i2kit-test/busybox-httpd:latest", PullPolicy::kIfNotPresent);
  ASSERT_TRUE(stored.ok()) << stored.status().message();
  Result<ResolvedImage> direct = ReadOciImageLayout(ExampleLayout(), "latest");
  ASSERT_TRUE(direct.ok()) << direct.status().message();
  EXPECT_EQ(stored->manifest_digest, direct->manifest_digest);
}

// Nothing listens on port 1: ctr fails at once, and its own words end the error.
TEST_F(ContainerdIntegrationTest, AMissingImageWhosePullFailsNamesTheReferenceAndCtrsError) {
  auto start = std::chrono::steady_clock::now();
  Result<ResolvedImage> image =
      ReadFromContainerd("127.0.0.1:1/nothing:latest", PullPolicy::kIfNotPresent);
  std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
  ASSERT_FALSE(image.ok());
  const std::string& message = image.status().message();
  EXPECT_TRUE(
      message.starts_with("image 127.0.0.1:1/nothing:latest (containerd namespace "
                          "i2kit-test): not in containerd's image store, and pulling "
                          "it failed: ctr exited with status 1: "))
      << message;
  EXPECT_NE(message.find("127.0.0.1:1/nothing:latest\": "), std::string::npos) << message;
  EXPECT_NE(message.find("connection refused"), std::string::npos) << message;
  EXPECT_LT(took.count(), 5.0);
}

}  // namespace
}  // namespace i2kit
