#include "guest-agent/seccomp_profile.h"

#include <sched.h>
#include <seccomp.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <string>
#include <string_view>

namespace i2kit {
namespace {

using Names = std::initializer_list<const char*>;

// What an ordinary server process calls on x86-64, grouped by purpose. Left out on purpose:
// namespaces and mounts (unshare, setns, mount, umount2, pivot_root, fsopen, open_tree, …),
// kernel code and state (init_module, finit_module, delete_module, kexec_*, bpf,
// perf_event_open, reboot, swapon, swapoff, syslog, acct, quotactl, iopl, ioperm),
// other processes (ptrace, process_vm_readv/writev, kcmp, pidfd_getfd, move_pages,
// migrate_pages), keyrings (add_key, request_key, keyctl), the clock (settimeofday,
// clock_settime, adjtimex), file handles (open_by_handle_at, name_to_handle_at: the
// "shocker" escape), userfaultfd (a tool for racing the kernel), and io_uring, whose
// operations bypass seccomp entirely.
// clang-format off
const Names kFileCalls = {
    "access", "chdir", "chmod", "chown", "chroot", "close", "close_range", "copy_file_range",
    "creat", "dup", "dup2", "dup3", "faccessat", "faccessat2", "fadvise64", "fallocate", "fchdir",
    "fchmod", "fchmodat", "fchmodat2", "fchown", "fchownat", "fcntl", "fdatasync", "flock", "fstat",
    "fstatfs", "fsync", "ftruncate", "futimesat", "getcwd", "getdents", "getdents64", "lchown",
    "link", "linkat", "lseek", "lstat", "mkdir", "mkdirat", "mknod", "mknodat", "newfstatat",
    "open", "openat", "openat2", "pread64", "preadv", "preadv2", "pwrite64", "pwritev", "pwritev2",
    "read", "readahead", "readlink", "readlinkat", "readv", "rename", "renameat", "renameat2",
    "rmdir", "sendfile", "splice", "stat", "statfs", "statx", "symlink", "symlinkat", "sync",
    "sync_file_range", "syncfs", "tee", "truncate", "umask", "unlink", "unlinkat", "utime",
    "utimensat", "utimes", "vmsplice", "write", "writev",
    // Extended attributes and change notification.
    "fgetxattr", "flistxattr", "fremovexattr", "fsetxattr", "getxattr", "lgetxattr", "listxattr",
    "llistxattr", "lremovexattr", "lsetxattr", "removexattr", "setxattr", "inotify_add_watch",
    "inotify_init", "inotify_init1", "inotify_rm_watch"};

const Names kMemoryCalls = {
    "brk", "cachestat", "get_mempolicy", "madvise", "map_shadow_stack", "mbind", "membarrier",
    "memfd_create", "mincore", "mlock", "mlock2", "mlockall", "mmap", "mprotect", "mremap", "msync",
    "munlock", "munlockall", "munmap", "pkey_alloc", "pkey_free", "pkey_mprotect",
    "remap_file_pages", "set_mempolicy"};

// The kernel still checks CAP_SETUID, CAP_KILL, CAP_SYS_NICE… for what needs them.
const Names kProcessCalls = {
    "arch_prctl", "capget", "capset", "execve", "execveat", "exit", "exit_group", "fork", "vfork",
    "futex", "futex_waitv", "get_robust_list", "set_robust_list", "get_thread_area",
    "set_thread_area", "set_tid_address", "getcpu", "getpgid", "getpgrp", "getpid", "getppid",
    "getpriority", "getrlimit", "getrusage", "getsid", "gettid", "ioprio_get", "ioprio_set",
    "prctl", "prlimit64", "restart_syscall", "rseq", "sched_get_priority_max",
    "sched_get_priority_min", "sched_getaffinity", "sched_getattr", "sched_getparam",
    "sched_getscheduler", "sched_rr_get_interval", "sched_setaffinity", "sched_setattr",
    "sched_setparam", "sched_setscheduler", "sched_yield", "setpgid", "setpriority", "setrlimit",
    "setsid", "sysinfo", "times", "uname", "wait4", "waitid",
    // Users and groups.
    "getegid", "geteuid", "getgid", "getgroups", "getresgid", "getresuid", "getuid", "setfsgid",
    "setfsuid", "setgid", "setgroups", "setregid", "setresgid", "setresuid", "setreuid", "setuid",
    // Signals and process handles.
    "alarm", "kill", "pause", "pidfd_open", "pidfd_send_signal", "rt_sigaction", "rt_sigpending",
    "rt_sigprocmask", "rt_sigqueueinfo", "rt_sigreturn", "rt_sigsuspend", "rt_sigtimedwait",
    "rt_tgsigqueueinfo", "sigaltstack", "signalfd", "signalfd4", "tgkill", "tkill",
    // Sandboxing oneself further is always allowed.
    "landlock_add_rule", "landlock_create_ruleset", "landlock_restrict_self", "seccomp"};

const Names kTimeAndEventCalls = {
    "clock_getres", "clock_gettime", "clock_nanosleep", "gettimeofday", "nanosleep", "time",
    "getitimer", "setitimer", "timer_create", "timer_delete", "timer_getoverrun", "timer_gettime",
    "timer_settime", "timerfd_create", "timerfd_gettime", "timerfd_settime", "epoll_create",
    "epoll_create1", "epoll_ctl", "epoll_pwait", "epoll_pwait2", "epoll_wait", "eventfd",
    "eventfd2", "poll", "ppoll", "pselect6", "select", "ioctl", "getrandom",
    // Linux AIO (databases use it).
    "io_cancel", "io_destroy", "io_getevents", "io_pgetevents", "io_setup", "io_submit"};

// Sockets, pipes and IPC; System V and POSIX IPC objects are private to the container's IPC
// namespace.
const Names kCommunicationCalls = {
    "accept", "accept4", "bind", "connect", "getpeername", "getsockname", "getsockopt", "listen",
    "recvfrom", "recvmmsg", "recvmsg", "sendmmsg", "sendmsg", "sendto", "setsockopt", "shutdown",
    "socket", "socketpair", "pipe", "pipe2", "msgctl", "msgget", "msgrcv", "msgsnd", "semctl",
    "semget", "semop", "semtimedop", "shmat", "shmctl", "shmdt", "shmget", "mq_getsetattr",
    "mq_notify", "mq_open", "mq_timedreceive", "mq_timedsend", "mq_unlink"};

// Calls only the 32-bit x86 ABI has (its own numbers for what x86-64 calls differently), so
// that 32-bit programs in an image work too.
const Names kX86OnlyCalls = {
    "_llseek", "_newselect", "chown32", "clock_getres_time64", "clock_gettime64",
    "clock_nanosleep_time64", "fadvise64_64", "fchown32", "fcntl64", "fstat64", "fstatat64",
    "fstatfs64", "ftruncate64", "futex_time64", "getegid32", "geteuid32", "getgid32", "getgroups32",
    "getresgid32", "getresuid32", "getuid32", "io_pgetevents_time64", "ipc", "lchown32", "lstat64",
    "mmap2", "mq_timedreceive_time64", "mq_timedsend_time64", "ppoll_time64", "pselect6_time64",
    "recvmmsg_time64", "rt_sigtimedwait_time64", "sched_rr_get_interval_time64",
    "semtimedop_time64", "sendfile64", "setfsgid32", "setfsuid32", "setgid32", "setgroups32",
    "setregid32", "setresgid32", "setresuid32", "setreuid32", "setuid32", "sigreturn", "socketcall",
    "stat64", "statfs64", "timer_gettime64", "timer_settime64", "timerfd_gettime64",
    "timerfd_settime64", "truncate64", "ugetrlimit", "utimensat_time64", "waitpid"};
// clang-format on

// clone's first argument holds its flags on x86; these create namespaces.
constexpr uint64_t kNamespaceFlags = CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWUSER |
                                     CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWCGROUP;

// personality(2) values glibc and ordinary programs use (Linux, 32-bit Linux, UNAME26 and the
// 0xffffffff query); others, such as ADDR_NO_RANDOMIZE, switch protections off.
constexpr uint64_t kPersonalities[] = {0x0, 0x8, 0x20000, 0x20008, 0xffffffff};

// Fails unless every name has a real syscall number on `arch` (a pseudo-number means the ABI
// lacks the call; unknown means libseccomp never heard of it).
Status CheckNames(const Names& names, uint32_t arch, std::string_view arch_name) {
  for (const char* name : names) {
    if (seccomp_syscall_resolve_name_arch(arch, name) < 0) {
      return Status::Error("RuntimeDefault seccomp profile: syscall '" + std::string(name) +
                           "' does not exist on " + std::string(arch_name) + " for libseccomp");
    }
  }
  return Status::Ok();
}

nlohmann::ordered_json AllowRule(std::vector<std::string> names) {
  return {{"names", std::move(names)}, {"action", "SCMP_ACT_ALLOW"}};
}

nlohmann::ordered_json ArgRule(const char* name, uint64_t value, uint64_t value_two,
                               const char* op) {
  nlohmann::ordered_json rule = AllowRule({name});
  rule["args"] = {{{"index", 0}, {"value", value}, {"valueTwo", value_two}, {"op", op}}};
  return rule;
}

// A JSON integer that is not negative (nlohmann keeps 1 parsed from text unsigned, but 1 built
// in C++ from an int signed).
bool IsUnsigned(const nlohmann::json& value) {
  return value.is_number_unsigned() || (value.is_number_integer() && value.get<int64_t>() >= 0);
}

bool IsOneOf(std::string_view value, std::initializer_list<std::string_view> known) {
  return std::find(known.begin(), known.end(), value) != known.end();
}

// The actions runc 1.1 knows. SCMP_ACT_NOTIFY is not offered: it needs a seccomp agent
// listening on a socket, and none runs in a Pod VM.
bool IsKnownAction(std::string_view action) {
  return IsOneOf(action,
                 {"SCMP_ACT_KILL", "SCMP_ACT_KILL_PROCESS", "SCMP_ACT_KILL_THREAD", "SCMP_ACT_TRAP",
                  "SCMP_ACT_ERRNO", "SCMP_ACT_TRACE", "SCMP_ACT_ALLOW", "SCMP_ACT_LOG"});
}

// "SCMP_ARCH_X86_64" → libseccomp's "x86_64".
bool IsKnownArchitecture(std::string_view name) {
  constexpr std::string_view kPrefix = "SCMP_ARCH_";
  if (!name.starts_with(kPrefix)) return false;
  std::string lower(name.substr(kPrefix.size()));
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return seccomp_arch_resolve_name(lower.c_str()) != 0;
}

Status CheckFields(const nlohmann::json& object, const std::string& where,
                   std::initializer_list<std::string_view> known) {
  for (const auto& item : object.items()) {
    if (!IsOneOf(item.key(), known) && item.key() != "comment") {
      return Status::Error(where + ": field '" + item.key() +
                           "' is not supported (runc would ignore it)");
    }
  }
  return Status::Ok();
}

Status CheckArgs(const nlohmann::json& args, const std::string& where) {
  if (!args.is_array()) return Status::Error(where + ": expected an array");
  for (size_t i = 0; i < args.size(); ++i) {
    const nlohmann::json& arg = args[i];
    std::string at = where + "[" + std::to_string(i) + "]";
    if (!arg.is_object()) return Status::Error(at + ": expected an object");
    if (Status s = CheckFields(arg, at, {"index", "value", "valueTwo", "op"}); !s.ok()) return s;
    if (!arg.contains("index") || !IsUnsigned(arg["index"]) || arg["index"] > 5)
      return Status::Error(at + ".index: expected a syscall argument number 0-5");
    if (!arg.contains("value") || !IsUnsigned(arg["value"]))
      return Status::Error(at + ".value: expected an unsigned integer");
    if (arg.contains("valueTwo") && !IsUnsigned(arg["valueTwo"]))
      return Status::Error(at + ".valueTwo: expected an unsigned integer");
    if (!arg.contains("op") || !arg["op"].is_string() ||
        !IsOneOf(arg["op"].get<std::string>(),
                 {"SCMP_CMP_NE", "SCMP_CMP_LT", "SCMP_CMP_LE", "SCMP_CMP_EQ", "SCMP_CMP_GE",
                  "SCMP_CMP_GT", "SCMP_CMP_MASKED_EQ"}))
      return Status::Error(at + ".op: expected an SCMP_CMP_* operator");
  }
  return Status::Ok();
}

Status CheckSyscallRule(const nlohmann::json& rule, const std::string& at) {
  if (!rule.is_object()) return Status::Error(at + ": expected an object");
  if (Status s = CheckFields(rule, at, {"names", "action", "errnoRet", "args"}); !s.ok()) return s;
  if (!rule.contains("names") || !rule["names"].is_array() || rule["names"].empty())
    return Status::Error(at + ".names: expected a non-empty array of syscall names");
  for (size_t j = 0; j < rule["names"].size(); ++j) {
    const nlohmann::json& name = rule["names"][j];
    std::string name_at = at + ".names[" + std::to_string(j) + "]";
    if (!name.is_string()) return Status::Error(name_at + ": expected a syscall name");
    std::string text = name.get<std::string>();
    if (seccomp_syscall_resolve_name_arch(SCMP_ARCH_X86_64, text.c_str()) == __NR_SCMP_ERROR) {
      const scmp_version* v = seccomp_version();
      return Status::Error(name_at + ": unknown syscall '" + text + "' (libseccomp " +
                           std::to_string(v->major) + "." + std::to_string(v->minor) + "." +
                           std::to_string(v->micro) + " does not know it on x86-64)");
    }
  }
  if (!rule.contains("action") || !rule["action"].is_string() ||
      !IsKnownAction(rule["action"].get<std::string>()))
    return Status::Error(at + ".action: expected an SCMP_ACT_* action runc supports");
  if (rule.contains("errnoRet") && !IsUnsigned(rule["errnoRet"]))
    return Status::Error(at + ".errnoRet: expected an errno number");
  if (rule.contains("args")) return CheckArgs(rule["args"], at + ".args");
  return Status::Ok();
}

}  // namespace

Result<nlohmann::ordered_json> RuntimeDefaultSeccompProfile() {
  std::vector<std::string> allowed;
  for (const Names* group :
       {&kFileCalls, &kMemoryCalls, &kProcessCalls, &kTimeAndEventCalls, &kCommunicationCalls}) {
    if (Status s = CheckNames(*group, SCMP_ARCH_X86_64, "x86-64"); !s.ok()) return s;
    allowed.insert(allowed.end(), group->begin(), group->end());
  }
  if (Status s = CheckNames(kX86OnlyCalls, SCMP_ARCH_X86, "32-bit x86"); !s.ok()) return s;
  std::sort(allowed.begin(), allowed.end());

  nlohmann::ordered_json syscalls = nlohmann::ordered_json::array();
  syscalls.push_back(AllowRule(std::move(allowed)));
  syscalls.push_back(AllowRule({kX86OnlyCalls.begin(), kX86OnlyCalls.end()}));
  // libseccomp compares (arg0 & value) == valueTwo for SCMP_CMP_MASKED_EQ.
  syscalls.push_back(ArgRule("clone", kNamespaceFlags, 0, "SCMP_CMP_MASKED_EQ"));
  syscalls.push_back({{"names", {"clone3"}}, {"action", "SCMP_ACT_ERRNO"}, {"errnoRet", ENOSYS}});
  for (uint64_t personality : kPersonalities) {
    syscalls.push_back(ArgRule("personality", personality, 0, "SCMP_CMP_EQ"));
  }
  return nlohmann::ordered_json{
      {"defaultAction", "SCMP_ACT_ERRNO"},
      {"defaultErrnoRet", EPERM},
      {"architectures", {"SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"}},
      {"syscalls", std::move(syscalls)},
  };
}

Status ValidateSeccompProfile(const nlohmann::json& seccomp) {
  const std::string where = "seccomp profile";
  if (!seccomp.is_object()) return Status::Error(where + ": expected a JSON object");
  if (Status s =
          CheckFields(seccomp, where,
                      {"defaultAction", "defaultErrnoRet", "architectures", "flags", "syscalls"});
      !s.ok()) {
    return s;
  }
  if (!seccomp.contains("defaultAction") || !seccomp["defaultAction"].is_string() ||
      !IsKnownAction(seccomp["defaultAction"].get<std::string>())) {
    return Status::Error(where + ": defaultAction: expected an SCMP_ACT_* action runc supports");
  }
  if (seccomp.contains("defaultErrnoRet") && !IsUnsigned(seccomp["defaultErrnoRet"]))
    return Status::Error(where + ": defaultErrnoRet: expected an errno number");
  const nlohmann::json empty = nlohmann::json::array();
  const nlohmann::json& architectures = seccomp.value("architectures", empty);
  if (!architectures.is_array()) return Status::Error(where + ": architectures: expected an array");
  for (const nlohmann::json& arch : architectures) {
    if (!arch.is_string() || !IsKnownArchitecture(arch.get<std::string>()))
      return Status::Error(where + ": architectures: " + arch.dump() + " is not an SCMP_ARCH_*");
  }
  const nlohmann::json& flags = seccomp.value("flags", empty);
  if (!flags.is_array()) return Status::Error(where + ": flags: expected an array");
  for (const nlohmann::json& flag : flags) {
    if (!flag.is_string() ||
        !IsOneOf(flag.get<std::string>(), {"SECCOMP_FILTER_FLAG_TSYNC", "SECCOMP_FILTER_FLAG_LOG",
                                           "SECCOMP_FILTER_FLAG_SPEC_ALLOW"}))
      return Status::Error(where + ": flags: " + flag.dump() + " is not supported by runc 1.1");
  }
  const nlohmann::json& syscalls = seccomp.value("syscalls", empty);
  if (!syscalls.is_array()) return Status::Error(where + ": syscalls: expected an array");
  for (size_t i = 0; i < syscalls.size(); ++i) {
    Status s = CheckSyscallRule(syscalls[i], "syscalls[" + std::to_string(i) + "]");
    if (!s.ok()) return s.WithContext(where);
  }
  return Status::Ok();
}

}  // namespace i2kit
