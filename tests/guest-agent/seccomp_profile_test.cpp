#include "guest-agent/seccomp_profile.h"

#include <gtest/gtest.h>
#include <sched.h>
#include <seccomp.h>

#include <algorithm>
#include <set>

namespace i2kit {
namespace {

using Json = nlohmann::ordered_json;

Json RuntimeDefault() {
  Result<Json> profile = RuntimeDefaultSeccompProfile();
  EXPECT_TRUE(profile.ok()) << profile.status().message();
  return profile.ok() ? *profile : Json::object();
}

// Every name some rule allows, with or without conditions on its arguments.
std::set<std::string> AllowedNames(const Json& profile, bool conditional) {
  std::set<std::string> names;
  for (const Json& rule : profile["syscalls"]) {
    if (rule["action"] != "SCMP_ACT_ALLOW" || rule.contains("args") != conditional) continue;
    for (const Json& name : rule["names"]) names.insert(name.get<std::string>());
  }
  return names;
}

TEST(SeccompProfileTest, RuntimeDefaultDeniesWithEpermOnEveryX86Abi) {
  Json profile = RuntimeDefault();
  EXPECT_EQ(profile["defaultAction"], "SCMP_ACT_ERRNO");
  EXPECT_EQ(profile["defaultErrnoRet"], 1);
  EXPECT_EQ(profile["architectures"], Json({"SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"}));
}

TEST(SeccompProfileTest, EverySyscallNameResolvesWithLibseccomp) {
  Json profile = RuntimeDefault();
  ASSERT_TRUE(ValidateSeccompProfile(profile).ok());
  // The main allow-list names real x86-64 calls; the second rule the 32-bit x86 ones.
  for (const Json& name : profile["syscalls"][0]["names"]) {
    EXPECT_GE(seccomp_syscall_resolve_name_arch(SCMP_ARCH_X86_64, name.get<std::string>().c_str()),
              0)
        << name;
  }
  for (const Json& name : profile["syscalls"][1]["names"]) {
    EXPECT_GE(seccomp_syscall_resolve_name_arch(SCMP_ARCH_X86, name.get<std::string>().c_str()), 0)
        << name;
  }
  EXPECT_GT(profile["syscalls"][0]["names"].size(), 250u);
}

TEST(SeccompProfileTest, CloneIsAllowedOnlyWithoutNamespaceFlags) {
  Json profile = RuntimeDefault();
  EXPECT_EQ(AllowedNames(profile, false).count("clone"), 0u);
  auto rule = std::find_if(profile["syscalls"].begin(), profile["syscalls"].end(),
                           [](const Json& r) { return r["names"] == Json({"clone"}); });
  ASSERT_NE(rule, profile["syscalls"].end());
  uint64_t flags = CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWUSER | CLONE_NEWPID |
                   CLONE_NEWNET | CLONE_NEWCGROUP;
  EXPECT_EQ(flags, 0x7E020000u);
  EXPECT_EQ((*rule)["action"], "SCMP_ACT_ALLOW");
  EXPECT_EQ((*rule)["args"], Json::parse(R"([{"index":0,"value":2114060288,"valueTwo":0,)"
                                         R"("op":"SCMP_CMP_MASKED_EQ"}])"));
}

TEST(SeccompProfileTest, Clone3FailsWithEnosysSoGlibcFallsBackToClone) {
  Json profile = RuntimeDefault();
  auto rule = std::find_if(profile["syscalls"].begin(), profile["syscalls"].end(),
                           [](const Json& r) { return r["names"] == Json({"clone3"}); });
  ASSERT_NE(rule, profile["syscalls"].end());
  EXPECT_EQ((*rule)["action"], "SCMP_ACT_ERRNO");
  EXPECT_EQ((*rule)["errnoRet"], 38);
}

TEST(SeccompProfileTest, NamespaceKernelAndEscapeSyscallsAreNotAllowed) {
  Json profile = RuntimeDefault();
  std::set<std::string> allowed = AllowedNames(profile, false);
  for (const char* name : {"unshare",
                           "setns",
                           "mount",
                           "umount2",
                           "pivot_root",
                           "move_mount",
                           "open_tree",
                           "fsopen",
                           "kexec_load",
                           "kexec_file_load",
                           "init_module",
                           "finit_module",
                           "delete_module",
                           "bpf",
                           "perf_event_open",
                           "ptrace",
                           "process_vm_readv",
                           "process_vm_writev",
                           "keyctl",
                           "add_key",
                           "request_key",
                           "swapon",
                           "swapoff",
                           "reboot",
                           "open_by_handle_at",
                           "name_to_handle_at",
                           "userfaultfd",
                           "io_uring_setup",
                           "settimeofday",
                           "clock_settime",
                           "personality",
                           "clone",
                           "clone3",
                           "iopl",
                           "ioperm",
                           "syslog",
                           "acct",
                           "quotactl"}) {
    EXPECT_EQ(allowed.count(name), 0u) << name;
  }
}

TEST(SeccompProfileTest, PersonalityIsLimitedToHarmlessValues) {
  std::set<std::string> conditional = AllowedNames(RuntimeDefault(), true);
  EXPECT_EQ(conditional, (std::set<std::string>{"clone", "personality"}));
}

TEST(SeccompProfileTest, ValidationRejectsUnknownSyscallNames) {
  Json profile = Json::parse(R"({"defaultAction":"SCMP_ACT_ERRNO",
      "syscalls":[{"names":["read","not_a_syscall"],"action":"SCMP_ACT_ALLOW"}]})");
  Status s = ValidateSeccompProfile(profile);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.message().rfind("seccomp profile: syscalls[0].names[1]: unknown syscall "
                              "'not_a_syscall' (libseccomp ",
                              0),
            0u)
      << s.message();
}

TEST(SeccompProfileTest, ValidationRejectsFieldsRuncWouldIgnore) {
  Json profile = Json::parse(R"({"defaultAction":"SCMP_ACT_ERRNO",
      "syscalls":[{"names":["mount"],"action":"SCMP_ACT_ALLOW",
                   "includes":{"caps":["CAP_SYS_ADMIN"]}}]})");
  EXPECT_EQ(ValidateSeccompProfile(profile).message(),
            "seccomp profile: syscalls[0]: field 'includes' is not supported (runc would ignore "
            "it)");
}

TEST(SeccompProfileTest, ValidationRejectsUnknownActionsAndArchitectures) {
  EXPECT_EQ(ValidateSeccompProfile(Json::parse(R"({"defaultAction":"SCMP_ACT_NOTIFY"})")).message(),
            "seccomp profile: defaultAction: expected an SCMP_ACT_* action runc supports");
  EXPECT_EQ(ValidateSeccompProfile(Json::parse(R"({"defaultAction":"SCMP_ACT_ALLOW",
                                                   "architectures":["SCMP_ARCH_Z80"]})"))
                .message(),
            "seccomp profile: architectures: \"SCMP_ARCH_Z80\" is not an SCMP_ARCH_*");
}

TEST(SeccompProfileTest, ValidationAcceptsDockerStyleComments) {
  EXPECT_TRUE(ValidateSeccompProfile(Json::parse(R"({"defaultAction":"SCMP_ACT_LOG",
      "comment":"audit only","architectures":["SCMP_ARCH_X86_64","SCMP_ARCH_AARCH64"],
      "syscalls":[{"names":["socketcall"],"action":"SCMP_ACT_ERRNO","errnoRet":1,
                   "args":[{"index":0,"value":1,"op":"SCMP_CMP_EQ"}]}]})"))
                  .ok());
}

}  // namespace
}  // namespace i2kit
