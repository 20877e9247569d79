// What only PID 1 of a Pod VM does, kept in one unit (as Kata's agent does) so that everything
// else in the agent also runs, and is tested, on an ordinary host. Each call names the syscall
// and path that failed.
#pragma once

#include <set>
#include <string>

#include "common/status.h"

namespace i2kit {

// True when this process is PID 1.
bool IsPid1();

// Makes a tmpfs the root: copies the initramfs into it, frees the initramfs, and moves the
// tmpfs onto "/". runc's pivot_root fails on the initramfs itself ("pivot_root .: invalid
// argument"), and --no-pivot would weaken the containers' isolation. The top-level entries
// named in `left_behind` are removed without being copied: the running agent (/init) and
// files the caller holds open, which would otherwise sit in RAM twice.
Status SwitchToTmpfsRoot(const std::set<std::string>& left_behind);

// Attaches the EROFS image open at `image_fd` to a free loop device (read-only) and mounts it
// read-only at `target`. The device holds its own reference: the caller may close the fd.
Status MountImageFile(int image_fd, const std::string& target);

// Mounts /proc, /sys, /dev (devtmpfs), /dev/pts, /dev/shm, /run, /tmp and the cgroup2
// hierarchy at /sys/fs/cgroup, and delegates the cpu, memory and pids controllers.
Status MountEarlyFilesystems();

// Sets the hostname, brings the loopback interface up (eth0 is up already: the kernel's ip=
// configured it), and writes `resolv_conf` from the DNS servers the kernel learned
// (/proc/net/pnp), falling back to `fallback_dns`.
Status ConfigureNetwork(const std::string& hostname, const std::string& resolv_conf,
                        const std::string& fallback_dns);

// Reads `key=value` from the kernel command line; empty when absent.
std::string KernelCmdlineValue(const std::string& cmdline, const std::string& key);

// Syncs and powers the VM off. PID 1 never just returns: the kernel would panic.
[[noreturn]] void PowerOff();

}  // namespace i2kit
