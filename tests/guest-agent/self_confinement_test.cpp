#include "guest-agent/self_confinement.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <seccomp.h>
#include <sys/swap.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <set>
#include <sstream>

#include "common/unique_fd.h"
#include "guest-agent/capabilities.h"

namespace i2kit {
namespace {

// runc's needs: CHOWN DAC_OVERRIDE KILL SETGID SETUID SETPCAP NET_ADMIN SYS_CHROOT SYS_PTRACE
// SYS_ADMIN SYS_RESOURCE = bits 0 1 5 6 7 8 12 18 19 21 24.
constexpr uint64_t kRunc = 0x12c11e3;
// The default container set adds FOWNER, FSETID and NET_BIND_SERVICE (bits 3 4 10).
constexpr uint64_t kRuncAndDefault = kRunc | 0x418;

uint64_t Bit(const char* name) {
  return CapabilityMask({name});
}

Deployment PodWith(std::vector<SecurityContext> contexts) {
  Deployment pod;
  pod.name = "web";
  for (size_t i = 0; i < contexts.size(); ++i) {
    Container c;
    c.name = "c" + std::to_string(i);
    c.security_context = std::move(contexts[i]);
    pod.containers.push_back(std::move(c));
  }
  return pod;
}

SelfConfinementPlan Plan(const Deployment& pod) {
  Result<SelfConfinementPlan> plan = PlanSelfConfinement(pod);
  EXPECT_TRUE(plan.ok()) << plan.status().message();
  return plan.ok() ? *plan : SelfConfinementPlan{};
}

TEST(SelfConfinementTest, DefaultPodKeepsRuncsNeedsAndTheDefaultContainerSet) {
  SelfConfinementPlan plan = Plan(PodWith({SecurityContext{}}));
  EXPECT_EQ(plan.bounding_set, kRuncAndDefault);
  EXPECT_EQ(CapabilityMask(RuncCapabilityNames()), kRunc);
  for (const char* never : {"SYS_MODULE", "SYS_RAWIO", "SYS_TIME", "SYS_BOOT", "NET_RAW", "MKNOD",
                            "MAC_ADMIN", "SYSLOG", "BPF", "PERFMON", "CHECKPOINT_RESTORE"}) {
    EXPECT_EQ(plan.bounding_set & Bit(never), 0u) << never;
  }
}

TEST(SelfConfinementTest, CapabilitiesAContainerAddsStayInTheBoundingSet) {
  SecurityContext timekeeper, pinger;
  timekeeper.capabilities_add = {"SYS_TIME"};
  pinger.capabilities_add = {"NET_RAW"};
  SelfConfinementPlan plan = Plan(PodWith({timekeeper, pinger}));
  EXPECT_EQ(plan.bounding_set, kRuncAndDefault | Bit("SYS_TIME") | Bit("NET_RAW"));
}

TEST(SelfConfinementTest, DropAllLeavesOnlyRuncsNeeds) {
  SecurityContext none;
  none.capabilities_drop = {"ALL"};
  EXPECT_EQ(Plan(PodWith({none})).bounding_set, kRunc);
}

TEST(SelfConfinementTest, AddAllKeepsEveryCapability) {
  SecurityContext everything;
  everything.capabilities_add = {"ALL"};
  EXPECT_NE(Plan(PodWith({everything})).bounding_set & Bit("SYS_MODULE"), 0u);
}

TEST(SelfConfinementTest, UnknownCapabilityNameFailsWithTheContainer) {
  SecurityContext bad;
  bad.capabilities_add = {"WARP_DRIVE"};
  Result<SelfConfinementPlan> plan = PlanSelfConfinement(PodWith({bad}));
  ASSERT_FALSE(plan.ok());
  EXPECT_NE(plan.status().message().find("container c0"), std::string::npos);
}

TEST(SelfConfinementTest, EveryDeniedSyscallIsKnownToLibseccompAndRebootIsNotDenied) {
  SelfConfinementPlan plan = Plan(PodWith({SecurityContext{}}));
  ASSERT_FALSE(plan.denied_syscalls.empty());
  for (const std::string& name : plan.denied_syscalls) {
    EXPECT_NE(seccomp_syscall_resolve_name(name.c_str()), __NR_SCMP_ERROR) << name;
  }
  std::set<std::string> unique(plan.denied_syscalls.begin(), plan.denied_syscalls.end());
  EXPECT_EQ(unique.size(), plan.denied_syscalls.size());
  // The agent powers the VM off with reboot(); runc needs mount, pivot_root and bpf.
  for (const char* needed : {"reboot", "mount", "umount2", "pivot_root", "bpf", "unshare"}) {
    EXPECT_EQ(unique.count(needed), 0u) << needed;
  }
}

// The "Name:\tvalue" field of this process's /proc status.
std::string OwnStatusField(const std::string& name) {
  std::ifstream in("/proc/self/status");
  for (std::string line; std::getline(in, line);) {
    if (line.rfind(name + ":", 0) == 0)
      return line.substr(line.find_first_not_of(" \t", name.size() + 1));
  }
  return "";
}

uint64_t OwnMask(const std::string& name) {
  return std::strtoull(OwnStatusField(name).c_str(), nullptr, 16);
}

// Runs in the forked child: applies `plan` and returns what is wrong, or "" when all is well.
std::string ApplyAndCheck(const SelfConfinementPlan& plan) {
  uint64_t effective_before = OwnMask("CapEff");
  if (Status s = ApplySelfConfinement(plan); !s.ok()) return "apply: " + s.message();
  std::ostringstream problems;
  uint64_t bounding = OwnMask("CapBnd");
  if ((bounding & ~plan.bounding_set) != 0) problems << "CapBnd " << std::hex << bounding << "; ";
  if (OwnMask("CapEff") != effective_before) problems << "CapEff changed; ";
  if (OwnStatusField("Seccomp") != "2") problems << "Seccomp " << OwnStatusField("Seccomp") << "; ";
  if (OwnStatusField("NoNewPrivs") != "0") problems << "NoNewPrivs set; ";
  errno = 0;
  if (::swapoff("/nonexistent") != -1 || errno != EPERM) {
    problems << "swapoff: " << std::strerror(errno) << "; ";
  }
  errno = 0;
  if (::acct(nullptr) != -1 || errno != EPERM) problems << "acct: " << std::strerror(errno) << "; ";
  errno = 0;
  if (::chdir("/nonexistent") != -1 || errno != ENOENT) {
    problems << "chdir: " << std::strerror(errno) << "; ";
  }
  return problems.str();
}

TEST(SelfConfinementTest, ApplyingLowersTheBoundingSetAndDeniesSyscallsInAChild) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root";
  if ((OwnMask("CapEff") & (Bit("SETPCAP") | Bit("SYS_ADMIN"))) !=
      (Bit("SETPCAP") | Bit("SYS_ADMIN"))) {
    GTEST_SKIP() << "needs CAP_SETPCAP and CAP_SYS_ADMIN";
  }
  SelfConfinementPlan plan = Plan(PodWith({SecurityContext{}}));
  std::string seccomp_before = OwnStatusField("Seccomp");
  uint64_t bounding_before = OwnMask("CapBnd");
  int fds[2];
  ASSERT_EQ(::pipe2(fds, O_CLOEXEC), 0);
  UniqueFd read_end(fds[0]), write_end(fds[1]);
  // A child, so that this test process keeps every capability and no filter.
  pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    std::string problems = ApplyAndCheck(plan);
    (void)!::write(write_end.get(), problems.data(), problems.size());
    ::_exit(problems.empty() ? 0 : 1);
  }
  write_end.reset();
  std::string problems;
  char buffer[512];
  for (ssize_t n; (n = ::read(read_end.get(), buffer, sizeof buffer)) > 0;)
    problems.append(buffer, n);
  int wait_status = 0;
  ASSERT_EQ(::waitpid(child, &wait_status, 0), child);
  EXPECT_TRUE(WIFEXITED(wait_status) && WEXITSTATUS(wait_status) == 0) << problems;
  EXPECT_EQ(problems, "");
  // The test process itself is untouched.
  EXPECT_EQ(OwnStatusField("Seccomp"), seccomp_before);
  EXPECT_EQ(OwnMask("CapBnd"), bounding_before);
}

}  // namespace
}  // namespace i2kit
