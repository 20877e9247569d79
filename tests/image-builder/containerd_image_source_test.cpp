// The containerd image source without a daemon: addresses, options, the pull command, and the
// errors when no containerd answers. containerd_integration_test.cpp runs a real one.
#include "image-builder/containerd_image_source.h"

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <chrono>
#include <cstdlib>

#include "common/unique_fd.h"
#include "image-builder/image_builder_test_util.h"

namespace i2kit {
namespace {

using test_util::TempDir;

ImageReference Reference(std::string_view text) {
  Result<ImageReference> ref = ParseImageReference(text);
  EXPECT_TRUE(ref.ok()) << ref.status().message();
  return ref.ok() ? *ref : ImageReference{};
}

// Sets an environment variable for one test and restores it after.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const char* value) : name_(name) {
    const char* old = std::getenv(name);
    if (old != nullptr) old_ = old;
    had_ = old != nullptr;
    if (value != nullptr) {
      ::setenv(name, value, 1);
    } else {
      ::unsetenv(name);
    }
  }
  ~ScopedEnv() {
    if (had_) {
      ::setenv(name_, old_.c_str(), 1);
    } else {
      ::unsetenv(name_);
    }
  }

 private:
  const char* name_;
  std::string old_;
  bool had_ = false;
};

TEST(ContainerdImageSourceTest, AcceptsASocketPathOrAUnixUri) {
  EXPECT_EQ(*ContainerdSocketPath("/run/containerd/containerd.sock"),
            "/run/containerd/containerd.sock");
  EXPECT_EQ(*ContainerdSocketPath("unix:///run/containerd/containerd.sock"),
            "/run/containerd/containerd.sock");
  EXPECT_EQ(*ContainerdSocketPath("c.sock"), (std::filesystem::current_path() / "c.sock").string());
}

TEST(ContainerdImageSourceTest, RefusesOtherSchemesAndAnEmptyAddress) {
  Result<std::string> tcp = ContainerdSocketPath("tcp://127.0.0.1:1234");
  ASSERT_FALSE(tcp.ok());
  EXPECT_NE(tcp.status().message().find("only unix sockets"), std::string::npos);
  EXPECT_FALSE(ContainerdSocketPath("").ok());
  EXPECT_FALSE(ContainerdSocketPath("unix://").ok());
}

TEST(ContainerdImageSourceTest, DefaultsToCtrsSocketAndNamespace) {
  ScopedEnv address("CONTAINERD_ADDRESS", nullptr);
  ScopedEnv ns("CONTAINERD_NAMESPACE", nullptr);
  ContainerdOptions resolved = ResolveContainerdOptions({});
  EXPECT_EQ(resolved.address, "/run/containerd/containerd.sock");
  EXPECT_EQ(resolved.namespace_name, "default");
}

TEST(ContainerdImageSourceTest, TheEnvironmentOverridesTheDefaultsAndOptionsTheEnvironment) {
  ScopedEnv address("CONTAINERD_ADDRESS", "/tmp/env.sock");
  ScopedEnv ns("CONTAINERD_NAMESPACE", "envns");
  ContainerdOptions from_env = ResolveContainerdOptions({});
  EXPECT_EQ(from_env.address, "/tmp/env.sock");
  EXPECT_EQ(from_env.namespace_name, "envns");
  ContainerdOptions given;
  given.address = "/tmp/given.sock";
  given.namespace_name = "given";
  ContainerdOptions resolved = ResolveContainerdOptions(given);
  EXPECT_EQ(resolved.address, "/tmp/given.sock");
  EXPECT_EQ(resolved.namespace_name, "given");
}

TEST(ContainerdImageSourceTest, PullsWithCtrForLinuxAmd64WithoutUnpacking) {
  ContainerdOptions options;
  options.namespace_name = "ns";
  EXPECT_EQ(ContainerdPullCommand(Reference("busybox"), options, "/run/c.sock"),
            (std::vector<std::string>{"ctr", "--address", "/run/c.sock", "--namespace", "ns",
                                      "content", "fetch", "--platform", "linux/amd64",
                                      "docker.io/library/busybox:latest"}));
}

// ctr's words for a registry that wants a login, from basic (docker-registry's htpasswd) and
// token (Docker Hub) authentication: the hint gives the command to run by hand.
TEST(ContainerdImageSourceTest, APullRefusedForWantOfALoginSaysHowToFetchTheImageByHand) {
  std::vector<std::string> command = {"ctr",     "--address", "/run/c.sock", "--namespace",
                                      "default", "content",   "fetch",       "localhost:5000/a:1"};
  std::string hint =
      " (build gives ctr no credentials: fetch the image yourself with `ctr --address "
      "/run/c.sock --namespace default content fetch --user USER localhost:5000/a:1`, which asks "
      "for the password, and build with imagePullPolicy IfNotPresent)";
  EXPECT_EQ(PullFailureHint("ctr exited with status 1: ctr: failed to resolve reference "
                            "\"localhost:5000/a:1\": pulling from host localhost:5000 failed "
                            "with status code [manifests 1]: 401 Unauthorized",
                            command),
            hint);
  EXPECT_EQ(PullFailureHint("ctr: failed to resolve reference \"docker.io/me/a:1\": pull access "
                            "denied, repository does not exist or may require authorization: "
                            "server message: insufficient_scope: authorization failed",
                            command),
            hint);
  EXPECT_EQ(PullFailureHint("ctr: ... 403 Forbidden", command), hint);
}

TEST(ContainerdImageSourceTest, OtherPullFailuresGetNoHint) {
  EXPECT_EQ(PullFailureHint("ctr exited with status 1: ctr: failed to resolve reference "
                            "\"127.0.0.1:1/a:1\": dial tcp 127.0.0.1:1: connect: connection "
                            "refused",
                            {"ctr", "content", "fetch", "127.0.0.1:1/a:1"}),
            "");
}

// The conventional directory, when this machine has one, and none otherwise (ctr's defaults).
TEST(ContainerdImageSourceTest, ReadsContainerdsRegistryHostsDirectoryOnlyWhenItExists) {
  std::error_code ec;
  bool exists = std::filesystem::is_directory("/etc/containerd/certs.d", ec);
  EXPECT_EQ(ResolveContainerdOptions({}).hosts_dir, exists ? "/etc/containerd/certs.d" : "");
  ContainerdOptions given;
  given.hosts_dir = "/tmp/certs.d";
  EXPECT_EQ(ResolveContainerdOptions(given).hosts_dir, "/tmp/certs.d");
}

TEST(ContainerdImageSourceTest, PullsWithTheRegistryHostsDirectoryGiven) {
  ContainerdOptions options;
  options.namespace_name = "ns";
  options.hosts_dir = "/tmp/certs.d";
  EXPECT_EQ(ContainerdPullCommand(Reference("localhost:5000/a:1"), options, "/run/c.sock"),
            (std::vector<std::string>{"ctr", "--address", "/run/c.sock", "--namespace", "ns",
                                      "content", "fetch", "--platform", "linux/amd64",
                                      "--hosts-dir", "/tmp/certs.d", "localhost:5000/a:1"}));
}

TEST(ContainerdImageSourceTest, RefusesAReferenceThatIsNoRegistryImage) {
  TempDir tmp;
  Result<ResolvedImage> image = ReadContainerdImage(Reference("oci:/images/web:1"), {}, tmp.path());
  ASSERT_FALSE(image.ok());
  EXPECT_NE(image.status().message().find("not a registry reference"), std::string::npos);
}

// No socket at all, and a socket nobody accepts on: both fail at once, saying where and what
// to do, and never pull (an unreachable daemon is not a missing image).
TEST(ContainerdImageSourceTest, AnUnreachableDaemonFailsQuicklyNamingTheAddress) {
  TempDir tmp;
  std::string missing = (tmp.path() / "missing.sock").string();
  std::string refusing = (tmp.path() / "refusing.sock").string();
  UniqueFd bound(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  refusing.copy(addr.sun_path, sizeof addr.sun_path - 1);
  ASSERT_EQ(::bind(bound.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  for (const std::string& socket : {missing, refusing}) {
    ContainerdOptions options;
    options.address = socket;
    options.ctr = "i2kit-must-not-run";
    auto start = std::chrono::steady_clock::now();
    Result<ResolvedImage> image = ReadContainerdImage(Reference("busybox"), options, tmp.path());
    std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
    ASSERT_FALSE(image.ok());
    const std::string& message = image.status().message();
    EXPECT_NE(message.find("image docker.io/library/busybox:latest"), std::string::npos) << message;
    EXPECT_NE(message.find("cannot reach containerd at unix://" + socket + ": "), std::string::npos)
        << message;
    EXPECT_NE(message.find("(is containerd running? set --containerd/CONTAINERD_ADDRESS)"),
              std::string::npos)
        << message;
    EXPECT_LT(took.count(), 3.0);
  }
}

}  // namespace
}  // namespace i2kit
