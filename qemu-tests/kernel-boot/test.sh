# The cached kernel boots under QEMU microvm/TCG and runs /init from an initramfs; pc boots it too (virtio-pci, DHCP).
# shellcheck shell=bash
# The init is a static C program: it must be PID 1, find erofs, overlay and cgroup2 in
# /proc/filesystems, mount cgroup2 with the controllers runc uses, see the virtio disk, NIC and
# RNG, and power the VM off. Each machine type boots once; the console must show every check.
# Env: BOOT_TIMEOUT (seconds per boot, default 120), KEEP_LOGS=1 keeps the console logs.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
boot_timeout=${BOOT_TIMEOUT:-120}

log() { printf 'kernel-boot: %s\n' "$*" >&2; }

kernel=$("$repo/scripts/build-kernel.sh")
work=$(mktemp -d)
if [[ "${KEEP_LOGS:-0}" == 1 ]]; then
  log "keeping $work"
else
  trap 'rm -rf "$work"' EXIT
fi

cat >"$work/init.c" <<'EOF'
// PID 1 of the test VM: prints what it finds as "i2kit-test: ok|FAILED <what>" lines.
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <time.h>
#include <unistd.h>

static int failures;

static void check(int ok, const char *what, const char *arg) {
  printf("i2kit-test: %s %s%s\n", ok ? "ok" : "FAILED", what, arg);
  failures += !ok;
}

// Whether the whitespace-separated file at `path` contains `word` as a whole token.
static int file_has_word(const char *path, const char *word) {
  char buf[8192];
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return 0;
  ssize_t n = read(fd, buf, sizeof buf - 1);
  close(fd);
  if (n <= 0) return 0;
  buf[n] = '\0';
  for (char *save, *tok = strtok_r(buf, " \t\n", &save); tok; tok = strtok_r(NULL, " \t\n", &save))
    if (strcmp(tok, word) == 0) return 1;
  return 0;
}

static void list_dir(const char *path, const char *kind) {
  DIR *dir = opendir(path);
  if (!dir) return;
  for (struct dirent *e; (e = readdir(dir));)
    if (e->d_name[0] != '.') printf("i2kit-test: device %s %s\n", kind, e->d_name);
  closedir(dir);
}

int main(void) {
  // The initramfs ships an empty /dev: mount devtmpfs to get a console for stdio.
  mount("devtmpfs", "/dev", "devtmpfs", 0, NULL);
  int console = open("/dev/console", O_RDWR);
  if (console >= 0) {
    dup2(console, 0), dup2(console, 1), dup2(console, 2);
    if (console > 2) close(console);
  }
  setvbuf(stdout, NULL, _IONBF, 0);
  struct timespec up;
  clock_gettime(CLOCK_BOOTTIME, &up);
  printf("I2KIT-INIT-STARTED uptime=%ld.%03lds\n", (long)up.tv_sec, up.tv_nsec / 1000000);

  check(getpid() == 1, "pid 1", "");
  check(mount("proc", "/proc", "proc", 0, NULL) == 0, "mount ", "proc");
  check(mount("sysfs", "/sys", "sysfs", 0, NULL) == 0, "mount ", "sysfs");
  const char *filesystems[] = {"erofs", "overlay", "cgroup2", "ext4", "tmpfs"};
  for (size_t i = 0; i < sizeof filesystems / sizeof *filesystems; i++)
    check(file_has_word("/proc/filesystems", filesystems[i]), "filesystem ", filesystems[i]);
  check(mount("cgroup2", "/sys/fs/cgroup", "cgroup2", 0, NULL) == 0, "mount ", "cgroup2");
  const char *controllers[] = {"cpuset", "cpu", "memory", "pids"};
  for (size_t i = 0; i < sizeof controllers / sizeof *controllers; i++)
    check(file_has_word("/sys/fs/cgroup/cgroup.controllers", controllers[i]), "cgroup controller ",
          controllers[i]);
  list_dir("/sys/class/net", "net");
  list_dir("/sys/block", "block");
  check(file_has_word("/sys/class/misc/hw_random/rng_current", "virtio_rng.0"), "rng ", "virtio");

  printf("i2kit-test: %s\n", failures ? "some checks FAILED" : "all checks passed");
  sync();
  reboot(RB_POWER_OFF);
  perror("i2kit-test: reboot(RB_POWER_OFF)");
  for (;;) pause();
}
EOF
gcc -static -Os -Wall -Wextra -Werror -o "$work/init" "$work/init.c"

# The guest's TSC rate, given to microvm as `run` gives it to a Pod VM under TCG
# (local-vm/host_tsc.h): TCG's RDTSC is the host's TSC unscaled, and on microvm the kernel's own
# calibration against the PIT fails on a busy host ("tsc: Unable to calibrate against PIT"),
# after which it has no clocksource and hangs. The boot this test must see is the Pod VM's.
cat >"$work/tsc_khz.c" <<'TSC'
// Prints the host's TSC rate in kHz, measured against CLOCK_MONOTONIC_RAW over 20 ms.
#include <stdio.h>
#include <time.h>
#include <x86intrin.h>

int main(void) {
  struct timespec start, end, pause = {0, 20000000};
  clock_gettime(CLOCK_MONOTONIC_RAW, &start);
  unsigned long long first = __rdtsc();
  nanosleep(&pause, NULL);
  clock_gettime(CLOCK_MONOTONIC_RAW, &end);
  unsigned long long last = __rdtsc();
  double ns = (end.tv_sec - start.tv_sec) * 1e9 + (end.tv_nsec - start.tv_nsec);
  printf("%.0f\n", (double)(last - first) * 1e6 / ns);
  return 0;
}
TSC
gcc -O2 -Wall -Wextra -Werror -o "$work/tsc_khz" "$work/tsc_khz.c"
tsc_khz=$("$work/tsc_khz")
mkdir -p "$work/root/dev" "$work/root/proc" "$work/root/sys"
install -m 0755 "$work/init" "$work/root/init"
(cd "$work/root" && find . -print0 | cpio --null --create --format=newc --quiet) | gzip -9 >"$work/initrd.gz"
truncate -s 1M "$work/disk.raw"

# Boots the machine `$1` with the remaining QEMU arguments; the console goes to $work/$1.log
# and the wall-clock seconds from QEMU's start to the init's first line to $work/$1.time.
boot() {
  local name=$1
  shift
  local start=${EPOCHREALTIME/./} status
  set +e
  timeout "$boot_timeout" qemu-system-x86_64 -accel tcg,tb-size=64 -m 64 -nodefaults \
    -no-user-config -nographic -serial stdio -no-reboot \
    -kernel "$kernel" -initrd "$work/initrd.gz" "$@" </dev/null 2>&1 |
    while IFS= read -r line; do
      line=${line%$'\r'}
      printf '%s\n' "$line"
      if [[ "$line" == *I2KIT-INIT-STARTED* ]]; then
        local now=${EPOCHREALTIME/./}
        printf '%d.%03d\n' $(((now - start) / 1000000)) $(((now - start) / 1000 % 1000)) >"$work/$name.time"
      fi
    done >"$work/$name.log"
  status=${PIPESTATUS[0]}
  set -e
  return "$status"
}

# Prints the expected console lines that $work/$1.log lacks.
missing_lines() {
  local name=$1 want
  shift
  for want in "$@"; do
    grep -qF -- "$want" "$work/$name.log" || printf '  missing: %s\n' "$want"
  done
}

expected=(
  "I2KIT-INIT-STARTED"
  "i2kit-test: ok pid 1"
  "i2kit-test: ok filesystem erofs"
  "i2kit-test: ok filesystem overlay"
  "i2kit-test: ok filesystem cgroup2"
  "i2kit-test: ok mount cgroup2"
  "i2kit-test: ok cgroup controller memory"
  "i2kit-test: device net eth0"
  "i2kit-test: device block vda"
  "i2kit-test: ok rng virtio"
  "i2kit-test: all checks passed"
  "IP-Config: Complete"
  "reboot: Power down"
)

failed=0
# microvm: virtio-mmio devices, a static `ip=` (no DHCP wait, so the time is the kernel's).
# pc: the same devices on virtio-pci, and DHCP from QEMU's user network; no_timer_check, which
# the kernel sets itself under KVM and Hyper-V (arch/x86/kernel/kvm.c): on pc it checks the
# PIT's interrupt through the IO-APIC by counting its ticks for a fixed number of TSC cycles
# (~70 ms of host time under TCG), and on a busy host QEMU's timer and vCPU threads may not run
# 4 ticks' worth in that window, so the kernel panicked "IO-APIC + timer doesn't work!" (3 boots
# of 10 at load 15).
for machine in microvm pc; do
  if [[ $machine == microvm ]]; then
    bus=device append="ip=10.0.2.15::10.0.2.2:255.255.255.0::eth0:off tsc_early_khz=$tsc_khz"
  else
    bus=pci append="ip=dhcp no_timer_check"
  fi
  status=0
  boot "$machine" -M "$machine" \
    -netdev user,id=net0 -device "virtio-net-$bus,netdev=net0" \
    -drive "if=none,id=disk0,format=raw,file=$work/disk.raw" -device "virtio-blk-$bus,drive=disk0" \
    -device "virtio-rng-$bus" \
    -append "console=ttyS0 panic=-1 $append" || status=$?
  problems=$(missing_lines "$machine" "${expected[@]}")
  if ((status == 124)); then problems+=$'\n'"  timed out after ${boot_timeout} s"; fi
  if ((status != 0 && status != 124)); then problems+=$'\n'"  qemu exited with status $status"; fi
  if [[ -n "$problems" ]]; then
    log "FAIL $machine:$problems"
    log "last console lines ($machine):"
    tail -n 40 "$work/$machine.log" >&2
    failed=1
  else
    log "ok $machine: init started $(cat "$work/$machine.time") s after QEMU started" \
      "($(grep -o 'uptime=[0-9.]*s' "$work/$machine.log") kernel uptime)"
  fi
done
exit "$failed"
