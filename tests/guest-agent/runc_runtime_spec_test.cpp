// Runs config.json files from BuildRuntimeSpec with the real runc and reads what the kernel
// says about the container's process. Needs root, runc and busybox-static; skipped otherwise.
#include <elf.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "common/unique_fd.h"
#include "guest-agent/capabilities.h"
#include "guest-agent/container_runtime.h"
#include "guest-agent/oci_runtime_spec.h"
#include "guest-agent/test_temp_dir.h"
#include "static_executable.h"

namespace i2kit {
namespace {

namespace fs = std::filesystem;

constexpr const char* kBusybox = "/bin/busybox";

std::string ReadText(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string FindRunc() {
  for (const char* path : {"/usr/sbin/runc", "/usr/bin/runc", "/usr/local/sbin/runc"}) {
    if (::access(path, X_OK) == 0) return path;
  }
  return "";
}

// The value of "Name:\tvalue" in /proc/PID/status text.
std::string StatusField(const std::string& status, const std::string& name) {
  std::istringstream lines(status);
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind(name + ":", 0) == 0)
      return line.substr(line.find_first_not_of(" \t", name.size() + 1));
  }
  return "(missing)";
}

std::string Hex(uint64_t mask) {
  char text[17];
  std::snprintf(text, sizeof text, "%016llx", static_cast<unsigned long long>(mask));
  return text;
}

Result<int> RunWithOutput(const std::vector<std::string>& argv, const fs::path& out,
                          const fs::path& err) {
  UniqueFd out_fd(::open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
  UniqueFd err_fd(::open(err.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
  if (!out_fd.valid() || !err_fd.valid()) return Status::Error("cannot create " + out.string());
  return RunProcess(argv, out_fd.get(), err_fd.get());
}

class RuncRuntimeSpecTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (::geteuid() != 0) GTEST_SKIP() << "runc needs root";
    runc_ = FindRunc();
    if (runc_.empty()) GTEST_SKIP() << "runc is not installed (apt-get install runc)";
    // A dynamically linked busybox (Debian's busybox package) cannot run in an empty root.
    if (!testing::IsStaticExecutable(kBusybox))
      GTEST_SKIP() << "needs Debian's busybox-static at " << kBusybox;
    ASSERT_FALSE(dir_.path().empty());
    static int counter = 0;
    id_ = "i2kit-test-" + std::to_string(::getpid()) + "-" + std::to_string(counter++);
    fs::path bin = dir_.path() / "bundle/rootfs/bin";
    fs::create_directories(bin);
    fs::copy_file(kBusybox, bin / "busybox");
    fs::create_symlink("busybox", bin / "sh");
    fs::create_symlink("busybox", bin / "cat");
    inputs_.rootfs = (dir_.path() / "bundle/rootfs").string();
    inputs_.hostname = "runc-test";
    // A name of its own, so that the test never touches a real Pod's cgroups.
    inputs_.cgroups_path = "/" + id_ + "/container";
    inputs_.resolv_conf = dir_.Write("etc/resolv.conf", "nameserver 127.0.0.1\n").string();
    inputs_.hosts = dir_.Write("etc/hosts", "127.0.0.1 localhost runc-test\n").string();
    inputs_.hostname_file = dir_.Write("etc/hostname", "runc-test\n").string();
  }

  void TearDown() override {
    if (runc_.empty() || id_.empty()) return;
    (void)RunProcess({runc_, "--root", (dir_.path() / "state").string(), "delete", "--force", id_});
    // runc removes the container's cgroup but not its parent: one in each v1 hierarchy and in
    // the v2 one (hybrid hosts have both).
    std::error_code ignored;
    fs::remove(fs::path("/sys/fs/cgroup") / id_, ignored);
    for (const fs::directory_entry& hierarchy : fs::directory_iterator("/sys/fs/cgroup", ignored)) {
      fs::remove(hierarchy.path() / id_, ignored);
    }
  }

  // Runs `command` in `container` with runc; returns the container's stdout.
  std::string Run(Container container, std::vector<std::string> command) {
    container.command = std::move(command);
    Result<nlohmann::ordered_json> spec = BuildRuntimeSpec(container, ImageConfig{}, inputs_);
    EXPECT_TRUE(spec.ok()) << spec.status().message();
    if (!spec.ok()) return "";
    FitNofileLimit(spec.value());
    dir_.Write("bundle/config.json", spec->dump(2));
    fs::path out = dir_.path() / "stdout", err = dir_.path() / "stderr";
    Result<int> code = RunWithOutput({runc_, "--root", (dir_.path() / "state").string(), "run",
                                      "--bundle", (dir_.path() / "bundle").string(), id_},
                                     out, err);
    EXPECT_TRUE(code.ok() && *code == 0)
        << (code.ok() ? "exit " + std::to_string(*code) : code.status().message()) << ": "
        << ReadText(err);
    return ReadText(out);
  }

  // Without CAP_SYS_RESOURCE (this sandbox's root lacks it) runc cannot raise the hard limit
  // above the one it inherits; a Pod VM's agent has it.
  static void FitNofileLimit(nlohmann::ordered_json& spec) {
    std::string status = ReadText("/proc/self/status");
    uint64_t effective = std::stoull(StatusField(status, "CapEff"), nullptr, 16);
    if (effective & CapabilityMask({"SYS_RESOURCE"})) return;
    rlimit current{};
    ::getrlimit(RLIMIT_NOFILE, &current);
    for (auto& limit : spec["process"]["rlimits"]) {
      limit["hard"] = std::min(limit["hard"].get<uint64_t>(), uint64_t{current.rlim_max});
      limit["soft"] = std::min(limit["soft"].get<uint64_t>(), uint64_t{current.rlim_max});
    }
  }

  guest_test::TempDir dir_;
  std::string runc_;
  std::string id_;
  RuntimeSpecInputs inputs_;
};

Container Named(const std::string& name) {
  Container c;
  c.name = name;
  return c;
}

TEST_F(RuncRuntimeSpecTest, DefaultContainerHasTheEightCapabilitiesNoNewPrivsAndSeccomp) {
  std::string status = Run(Named("status"), {"/bin/cat", "/proc/self/status"});
  std::string eight = Hex(CapabilityMask(DefaultCapabilityNames()));
  EXPECT_EQ(eight, "00000000000004fb");
  EXPECT_EQ(StatusField(status, "CapEff"), eight) << status;
  EXPECT_EQ(StatusField(status, "CapPrm"), eight);
  EXPECT_EQ(StatusField(status, "CapBnd"), eight);
  EXPECT_EQ(StatusField(status, "CapAmb"), Hex(0));
  EXPECT_EQ(StatusField(status, "NoNewPrivs"), "1");
  EXPECT_EQ(StatusField(status, "Seccomp"), "2");  // SECCOMP_MODE_FILTER
}

TEST_F(RuncRuntimeSpecTest, NonRootContainerWithAllDroppedHasNoCapabilities) {
  Container c = Named("nobody");
  c.security_context.run_as_user = 1000;
  c.security_context.run_as_group = 1000;
  c.security_context.capabilities_drop = {"ALL"};
  std::string status = Run(c, {"/bin/cat", "/proc/self/status"});
  EXPECT_EQ(StatusField(status, "CapEff"), Hex(0)) << status;
  EXPECT_EQ(StatusField(status, "CapBnd"), Hex(0));
  EXPECT_EQ(StatusField(status, "Uid"), "1000\t1000\t1000\t1000");
  EXPECT_EQ(StatusField(status, "Seccomp"), "2");
}

TEST_F(RuncRuntimeSpecTest, NonRootContainerWithTheDefaultsHoldsNoCapability) {
  Container c = Named("defaults");
  c.security_context.run_as_user = 1000;
  std::string status = Run(c, {"/bin/sh", "-c", "exec cat /proc/self/status"});
  EXPECT_EQ(StatusField(status, "CapEff"), Hex(0)) << status;
  EXPECT_EQ(StatusField(status, "CapPrm"), Hex(0));
  EXPECT_EQ(StatusField(status, "CapAmb"), Hex(0));
  EXPECT_EQ(StatusField(status, "CapBnd"), Hex(CapabilityMask(DefaultCapabilityNames())));
}

TEST_F(RuncRuntimeSpecTest, NonRootContainerKeepsAnAddedCapabilityThroughExecve) {
  Container c = Named("binder");
  c.security_context.run_as_user = 101;
  c.security_context.capabilities_drop = {"ALL"};
  c.security_context.capabilities_add = {"NET_BIND_SERVICE"};
  // Through a shell: the capability must survive a second execve, which ambient makes it do.
  std::string status = Run(c, {"/bin/sh", "-c", "exec cat /proc/self/status"});
  std::string bind = Hex(CapabilityMask({"NET_BIND_SERVICE"}));
  EXPECT_EQ(StatusField(status, "CapEff"), bind) << status;
  EXPECT_EQ(StatusField(status, "CapAmb"), bind);
  EXPECT_EQ(StatusField(status, "CapBnd"), bind);
}

// Without no_new_privs runc loads the filter before it changes user and capabilities, so
// the profile must allow what runc's own init calls then.
TEST_F(RuncRuntimeSpecTest, ContainerAllowedToEscalateStartsUnderTheFilter) {
  Container c = Named("escalate");
  c.security_context.run_as_user = 101;
  c.security_context.allow_privilege_escalation = true;
  std::string status = Run(c, {"/bin/cat", "/proc/self/status"});
  EXPECT_EQ(StatusField(status, "NoNewPrivs"), "0") << status;
  EXPECT_EQ(StatusField(status, "Seccomp"), "2");
  EXPECT_EQ(StatusField(status, "CapAmb"), Hex(0));
}

TEST_F(RuncRuntimeSpecTest, SeccompRefusesNamespaceCreation) {
  Container c = Named("unshare");
  c.security_context.capabilities_add = {"SYS_ADMIN"};  // so that only seccomp can refuse it
  std::string out = Run(c, {"/bin/sh", "-c", "busybox unshare -n true 2>&1; echo exit=$?"});
  EXPECT_NE(out.find("Operation not permitted"), std::string::npos) << out;
  EXPECT_NE(out.find("exit=1"), std::string::npos) << out;
}

}  // namespace
}  // namespace i2kit
