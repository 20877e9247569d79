#include "guest-agent/pid1.h"

#include <dirent.h>
#include <fcntl.h>
#include <linux/loop.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <set>

#include "common/sys_error.h"
#include "common/text_file.h"
#include "common/unique_fd.h"
#include "guest-agent/file_tree.h"

namespace i2kit {
namespace {

Status Mount(const char* source, const char* target, const char* type, unsigned long flags,
             const char* data) {
  ::mkdir(target, 0755);
  if (::mount(source, target, type, flags, data) != 0) return SysError("mount", target);
  return Status::Ok();
}

}  // namespace

bool IsPid1() {
  return ::getpid() == 1;
}

Status SwitchToTmpfsRoot(const std::set<std::string>& left_behind) {
  const char* kNewRoot = "/newroot";
  if (Status s = Mount("tmpfs", kNewRoot, "tmpfs", MS_NOSUID, "mode=0755"); !s.ok()) return s;
  Result<std::vector<std::string>> names = ListDirectory("/");
  if (!names.ok()) return names.status();
  for (const std::string& name : *names) {
    if (name == "newroot" || name == "proc" || name == "sys" || name == "dev") continue;
    if (!left_behind.count(name)) {
      if (Status s = CopyTree("/" + name, std::string(kNewRoot) + "/" + name); !s.ok()) {
        return s.WithContext("copying /" + name + " to the tmpfs root");
      }
    }
    // The initramfs holds memory until its files are gone (or, for a file left behind, until
    // whoever still has it open or mapped lets go). What cannot be removed only costs memory.
    (void)RemoveTree("/" + name);
  }
  if (::chdir(kNewRoot) != 0) return SysError("chdir", kNewRoot);
  if (::mount(".", "/", nullptr, MS_MOVE, nullptr) != 0) return SysError("mount MS_MOVE", kNewRoot);
  if (::chroot(".") != 0) return SysError("chroot", kNewRoot);
  if (::chdir("/") != 0) return SysError("chdir", "/");
  return Status::Ok();
}

Status MountImageFile(int image_fd, const std::string& target) {
  UniqueFd control(::open("/dev/loop-control", O_RDWR | O_CLOEXEC));
  if (!control.valid()) return SysError("open", "/dev/loop-control");
  int number = ::ioctl(control.get(), LOOP_CTL_GET_FREE);
  if (number < 0) return SysError("ioctl LOOP_CTL_GET_FREE", "/dev/loop-control");
  std::string device = "/dev/loop" + std::to_string(number);
  UniqueFd loop(::open(device.c_str(), O_RDONLY | O_CLOEXEC));
  if (!loop.valid()) return SysError("open", device);
  loop_config config{};
  config.fd = static_cast<uint32_t>(image_fd);
  // Autoclear: the device lets go of the image once it is unmounted, with nothing to detach.
  config.info.lo_flags = LO_FLAGS_READ_ONLY | LO_FLAGS_AUTOCLEAR;
  if (::ioctl(loop.get(), LOOP_CONFIGURE, &config) != 0) {
    return SysError("ioctl LOOP_CONFIGURE", device);
  }
  return Mount(device.c_str(), target.c_str(), "erofs", MS_RDONLY | MS_NODEV, nullptr);
}

Status MountEarlyFilesystems() {
  struct M {
    const char* source;
    const char* target;
    const char* type;
    unsigned long flags;
    const char* data;
  };
  const M mounts[] = {
      {"proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, nullptr},
      {"sysfs", "/sys", "sysfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, nullptr},
      {"devtmpfs", "/dev", "devtmpfs", MS_NOSUID, "mode=0755"},
      {"devpts", "/dev/pts", "devpts", MS_NOSUID | MS_NOEXEC,
       "newinstance,ptmxmode=0666,mode=0620"},
      {"tmpfs", "/dev/shm", "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777"},
      {"tmpfs", "/run", "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755"},
      {"tmpfs", "/tmp", "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777"},
      {"cgroup2", "/sys/fs/cgroup", "cgroup2", MS_NOSUID | MS_NODEV | MS_NOEXEC, nullptr},
  };
  for (const M& m : mounts) {
    // devtmpfs may already be mounted by the kernel (CONFIG_DEVTMPFS_MOUNT).
    if (Status s = Mount(m.source, m.target, m.type, m.flags, m.data); !s.ok() && errno != EBUSY) {
      return s;
    }
  }
  // Containers get their own cgroups below the root; the controllers must be delegated.
  if (Status s = WriteTextFile("/sys/fs/cgroup/cgroup.subtree_control", "+cpu +memory +pids");
      !s.ok()) {
    return s.WithContext("enabling the cpu, memory and pids controllers");
  }
  return Status::Ok();
}

Status ConfigureNetwork(const std::string& hostname, const std::string& resolv_conf,
                        const std::string& fallback_dns) {
  if (::sethostname(hostname.c_str(), hostname.size()) != 0)
    return SysError("sethostname", hostname);
  int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return SysError("socket", "AF_INET");
  ifreq request{};
  std::strncpy(request.ifr_name, "lo", IFNAMSIZ - 1);
  bool up = ::ioctl(fd, SIOCGIFFLAGS, &request) == 0 &&
            (request.ifr_flags |= IFF_UP, ::ioctl(fd, SIOCSIFFLAGS, &request) == 0);
  ::close(fd);
  if (!up) return SysError("ioctl SIOCSIFFLAGS", "lo");
  // /proc/net/pnp holds "nameserver X" lines when the kernel's IP autoconfiguration got any.
  std::string servers;
  std::string pnp = ReadTextFile("/proc/net/pnp");
  for (std::string_view line : SplitLines(pnp)) {
    if (line.starts_with("nameserver ") && line != "nameserver 0.0.0.0") {
      servers.append(line).append("\n");
    }
  }
  if (servers.empty() && !fallback_dns.empty()) servers = "nameserver " + fallback_dns + "\n";
  return WriteTextFile(resolv_conf, servers);
}

std::string KernelCmdlineValue(const std::string& cmdline, const std::string& key) {
  std::string prefix = key + "=";
  for (std::string_view word : SplitWords(cmdline)) {
    if (word.starts_with(prefix)) return std::string(word.substr(prefix.size()));
  }
  return {};
}

void PowerOff() {
  ::sync();
  ::reboot(RB_POWER_OFF);
  // Only reached when not permitted (not PID 1, or no CAP_SYS_BOOT).
  ::_exit(1);
}

}  // namespace i2kit
