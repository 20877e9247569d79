#!/usr/bin/env bash
# The conventional comparator to a Pod VM: one general-purpose Debian 12 VM (the cloud kernel,
# its initramfs, systemd, runc — Debian's packages, nothing of i2kit's) that runs N containers
# of the same busybox-httpd image, as a Kubernetes worker node runs N Pods (the i2kit paper's
# Table I "worker"). The image is built once with mmdebstrap from deb.debian.org and cached in
# ~/.cache/i2kit/conventional-vm-<hash of this script>; each boot writes to a throw-away
# overlay (QEMU's snapshot=on), so every boot starts from the same disk.
#
# Inside the VM a systemd unit starts the N containers (the kernel command line's
# bench.containers=N) with `runc run -d`, one after another, each in the VM's own network on
# port 8080+i, and prints on the serial console how long they took to all accept connections.
# Each port i is forwarded to the host's 127.0.0.1:PORT+i, as a Pod VM's ports are.
#
# Usage: scripts/conventional-vm.sh path            builds when missing; prints the directory
#        scripts/conventional-vm.sh first-200       seconds from QEMU's start to the first HTTP
#                                                   200 of one container (issue 19's comparator)
#        scripts/conventional-vm.sh start DIR N PORT  boots with N containers (state in DIR),
#                                                   waits until all serve; prints two numbers:
#                                                   seconds from QEMU's start, and seconds from
#                                                   the first `runc run` (guest clock)
#        scripts/conventional-vm.sh stop DIR
# Needs root (mmdebstrap, once). Env: ACCEL (tcg, the default, or kvm), VM_MEMORY_MIB (512),
# TIMEOUT (seconds to wait for the containers, 600), I2KIT_IMAGES (the example images' directory).
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
source "$repo/scripts/benchmark-lib.sh"
accel=${ACCEL:-tcg}
memory=${VM_MEMORY_MIB:-512}
timeout=${TIMEOUT:-600}
images=${I2KIT_IMAGES:-$repo/build/examples/images}
# The most containers one VM is built for (bundles are made at build time: no jq in the VM).
max_containers=64

say() { echo "conventional-vm: $*" >&2; }

# The guest's side: starts the containers the command line asks for and reports on the console.
guest_start_script() {
  cat <<'EOF'
#!/bin/bash
n=$(sed -n 's/.*bench\.containers=\([0-9]*\).*/\1/p' /proc/cmdline)
n=${n:-1}
start=$(date +%s.%N)
for ((i = 0; i < n; i++)); do
  runc run -d --bundle "/srv/bench/c$i" "bench-$i" </dev/null >/dev/null 2>&1 ||
    echo "bench: container $i failed to start" >/dev/console
done
for ((i = 0; i < n; i++)); do
  until (exec 3<>"/dev/tcp/127.0.0.1/$((8080 + i))") 2>/dev/null; do sleep 0.05; done
done
awk -v a="$start" -v b="$(date +%s.%N)" -v n="$n" -v up="$(cut -d' ' -f1 /proc/uptime)" \
  'BEGIN { printf "bench: %d containers serving, %.2f s after the first runc run, uptime %s s\n", n, b - a, up }' >/dev/console
EOF
}

build() {
  [[ -f $cache/disk.img ]] && return
  ((EUID == 0)) || { say "building the image needs root (mmdebstrap)"; exit 1; }
  command -v mmdebstrap >/dev/null || apt-get install -y -qq --no-install-recommends mmdebstrap e2fsprogs >/dev/null
  [[ -d $images/busybox-httpd ]] || "$repo/examples/build-images.sh" "$images" >/dev/null
  say "building a Debian 12 worker VM into $cache (once; a few minutes)"
  local work
  work=$(mktemp -d)
  # shellcheck disable=SC2064 # expand now: the trap must remove this directory
  trap "rm -rf '$work'" RETURN
  oci_unpack "$images/busybox-httpd" "$work/rootfs"
  for ((i = 0; i < max_containers; i++)); do
    httpd_bundle "$work/bench/c$i" /srv/bench/rootfs "$((8080 + i))"
  done
  mv "$work/rootfs" "$work/bench/rootfs"
  guest_start_script >"$work/bench-containers"
  cat >"$work/bench-containers.service" <<'EOF'
[Unit]
Description=The benchmark's containers (bench.containers=N on the kernel command line)
After=local-fs.target
[Service]
Type=oneshot
RemainAfterExit=yes
ExecStart=/usr/local/sbin/bench-containers
[Install]
WantedBy=multi-user.target
EOF
  printf '[Match]\nName=en*\n[Network]\nDHCP=ipv4\n' >"$work/en.network"
  # shellcheck disable=SC2016 # $1 is the hooks' root directory, expanded by mmdebstrap's shell
  nice mmdebstrap --variant=minbase --quiet \
    --include=systemd-sysv,udev,linux-image-cloud-amd64,initramfs-tools,runc,iproute2 \
    --dpkgopt='path-exclude=/usr/share/doc/*' --dpkgopt='path-exclude=/usr/share/man/*' \
    --dpkgopt='path-exclude=/usr/share/locale/*' \
    --customize-hook="cp -a '$work/bench' \"\$1/srv/bench\"" \
    --customize-hook="install -m 0755 '$work/bench-containers' \"\$1/usr/local/sbin/\"" \
    --customize-hook="install -m 0644 '$work/bench-containers.service' \"\$1/etc/systemd/system/\"" \
    --customize-hook="install -m 0644 '$work/en.network' \"\$1/etc/systemd/network/\"" \
    --customize-hook='echo "/dev/vda / ext4 rw,noatime 0 1" >"$1/etc/fstab"; echo worker >"$1/etc/hostname"' \
    --customize-hook='chroot "$1" systemctl enable bench-containers.service systemd-networkd.service' \
    --customize-hook='chroot "$1" systemctl mask apt-daily.timer apt-daily-upgrade.timer e2scrub_all.timer fstrim.timer systemd-networkd-wait-online.service' \
    bookworm "$work/root" http://deb.debian.org/debian
  mkdir -p "$cache.new"
  cp "$work/root/boot/"vmlinuz-* "$cache.new/vmlinuz"
  cp "$work/root/boot/"initrd.img-* "$cache.new/initrd.img"
  local size
  size=$(du -sm "$work/root" | cut -f1)
  mkfs.ext4 -q -L worker -d "$work/root" "$cache.new/disk.img" "$((size * 13 / 10 + 64))M"
  dpkg-query --admindir="$work/root/var/lib/dpkg" -W -f='${Package} ${Version}\n' \
    linux-image-cloud-amd64 systemd runc >"$cache.new/versions"
  rm -rf "$cache"
  mv "$cache.new" "$cache"
  say "built: $(du -sh "$cache/disk.img" | cut -f1) disk, $(tr '\n' ',' <"$cache/versions")"
}

# start DIR N PORT: boots the VM in the background, then waits for all N containers.
start() {
  local dir=$1 n=$2 port=$3 forwards="" t
  ((n >= 1 && n <= max_containers)) || { say "N must be 1..$max_containers"; exit 2; }
  build
  mkdir -p "$dir"
  for ((i = 0; i < n; i++)); do forwards+=",hostfwd=tcp:127.0.0.1:$((port + i))-:$((8080 + i))"; done
  local accel_args=(-accel kvm)
  [[ $accel == kvm ]] || accel_args=(-accel "tcg,tb-size=32" -cpu max)  # as a Pod VM's QEMU
  : >"$dir/console.log"
  t=$(now)
  qemu-system-x86_64 -M pc "${accel_args[@]}" -nodefaults -no-user-config -nographic -no-reboot \
    -m "$memory" -smp 1 -kernel "$cache/vmlinuz" -initrd "$cache/initrd.img" \
    -append "root=/dev/vda rw console=ttyS0 quiet bench.containers=$n" \
    -drive "file=$cache/disk.img,if=virtio,format=raw,snapshot=on" \
    -netdev "user,id=n0,ipv6=off$forwards" -device virtio-net-pci,netdev=n0 \
    -device virtio-rng-pci -serial "file:$dir/console.log" \
    -pidfile "$dir/qemu.pid" -daemonize >/dev/null
  for ((i = 0; i < n; i++)); do
    until curl -sf -o /dev/null -m 2 "http://127.0.0.1:$((port + i))/"; do
      if ! [[ -f $dir/qemu.pid ]] || ! kill -0 "$(cat "$dir/qemu.pid")" 2>/dev/null; then
        tail -20 "$dir/console.log" >&2
        say "the VM stopped"
        exit 1
      fi
      awk -v s="$(since "$t")" -v l="$timeout" 'BEGIN { exit !(s > l) }' &&
        { tail -20 "$dir/console.log" >&2; say "not serving after $timeout s"; stop "$dir"; exit 1; }
      sleep 0.05
    done
  done
  local host_seconds guest_seconds
  host_seconds=$(since "$t")
  until guest_seconds=$(sed -n 's/.*bench: .* serving, \([0-9.]*\) s after.*/\1/p' "$dir/console.log") &&
    [[ -n $guest_seconds ]]; do sleep 0.2; done
  echo "$host_seconds $guest_seconds"
}

stop() {
  local dir=$1 pid
  [[ -f $dir/qemu.pid ]] || return 0
  pid=$(cat "$dir/qemu.pid")
  kill "$pid" 2>/dev/null || true
  while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
  rm -f "$dir/qemu.pid"
}

# Named after what the image is made of (the functions that make it), so that editing them
# rebuilds it and editing anything else does not.
cache=${XDG_CACHE_HOME:-$HOME/.cache}/i2kit/conventional-vm-$(declare -f build guest_start_script httpd_bundle oci_unpack | sha256sum | cut -c1-12)

case ${1:-} in
  path) build && echo "$cache" ;;
  first-200)
    dir=$(mktemp -d)
    trap 'stop "$dir"; rm -rf "$dir"' EXIT
    build
    start "$dir" 1 "${PORT:-18480}" | cut -d' ' -f1
    ;;
  start) (($# == 4)) || { say "usage: start DIR N PORT"; exit 2; }; start "$2" "$3" "$4" ;;
  stop) (($# == 2)) || { say "usage: stop DIR"; exit 2; }; stop "$2" ;;
  *) sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//' >&2; exit 2 ;;
esac
