#!/usr/bin/env bash
# Prints the Pod VM figures docs/benchmarks.md holds, measured on this machine in one run: artifact
# sizes, cold and warm build times, boot-to-serving time (from `i2kit-host run` to the first
# HTTP 200 on 127.0.0.1) and guest memory used once ready (MemTotal − MemAvailable, as the
# agent reads /proc/meminfo), and the median of each boot phase from the replicas' boot timelines
# (`ps -o json`; `logs --timeline` explains the phases): of cold boots (`run --cold` when `run`
# offers it), and of warm ones (from a snapshot) when it does; QEMU's own memory per Pod VM
# (PSS) cold and warm; how soon a killed warm replica serves again; and, measured in the same
# run, the conventional Debian VM of scripts/conventional-vm.sh (cloud kernel, systemd, the
# same container under runc) from QEMU's start to its first HTTP 200, with each time as a ratio
# to it (CONVENTIONAL=0 skips it; its first build takes minutes and the network). A benchmark,
# not a test: it asserts nothing, it reports.
# It prints them as docs/benchmarks.md's section; --doc also writes that section there.
#
# Usage: scripts/benchmark.sh [--doc] [BOOTS]   (default 5 boots; needs a build: scripts/test.sh
#        or cmake --build build). Env: I2KIT_BUILD_DIR (default build), ACCEL (default tcg,
#        since KVM does not work on these machines), PORT (default 18080).
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
source "$repo/scripts/benchmark-doc.sh"
source "$repo/scripts/benchmark-lib.sh"
write_doc=false
[[ ${1:-} == --doc ]] && { write_doc=true; shift; }
build_dir=${I2KIT_BUILD_DIR:-$repo/build}
host="$build_dir/bin/i2kit-host"
agent="$build_dir/bin/i2kit-agent"
boots=${1:-5}
accel=${ACCEL:-tcg}
port=${PORT:-18080}
[[ -x "$host" && -x "$agent" ]] || { echo "benchmark: build i2kit first ($host)" >&2; exit 1; }
[[ $boots =~ ^[1-9][0-9]*$ ]] || { echo "benchmark: BOOTS must be a positive number" >&2; exit 2; }

work=$(mktemp -d)
export XDG_STATE_HOME="$work/state"  # its own VMs only
cleanup() {
  "$host" down bench >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

# Two decimals, where benchmark-lib.sh's `since` has one.
since2() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.2f", b - a }'; }
mib() { awk -v b="$1" 'BEGIN { printf "%.1f MiB", b / 1048576 }'; }
size_of() { stat -c %s "$1"; }
# min and median of the numbers on stdin
stats() { sort -g | awk '{ v[NR] = $1 } END { printf "min %.2f s, median %.2f s", v[1], v[int((NR + 1) / 2)] }'; }

"$repo/examples/build-images.sh" "$repo/build/examples/images" >/dev/null
kernel=$(I2KIT_KERNEL='' "$repo/scripts/build-kernel.sh")
# The example Pod (busybox httpd, non-root, least privilege) with a short grace period, so
# that stopping each VM does not wait out busybox's ignored SIGTERM.
cat >"$work/bench.yml" <<EOF
apiVersion: apps/v1
kind: Deployment
metadata: {name: bench}
spec:
  selector: {matchLabels: {app: bench}}
  template:
    metadata: {labels: {app: bench}}
    spec:
      terminationGracePeriodSeconds: 1
      containers:
        - name: web
          image: oci:$repo/build/examples/images/busybox-httpd:latest
          ports: [{containerPort: 8080}]
EOF

build() { "$host" build "$work/bench.yml" -o "$work/out" --kernel "$kernel" --agent "$agent" >/dev/null; }
t=$(now)
build
cold=$(since2 "$t")
t=$(now)
build
warm=$(since2 "$t")

out="$work/out/bench"
# The initrd's parts, unpacked: the agent and the system image (runc and its libraries).
mkdir "$work/initrd"
# zstd since the builder compresses so; gzip before.
unpack() { if zstd -qt "$1" 2>/dev/null; then zstd -qdc "$1"; else zcat "$1"; fi; }
(cd "$work/initrd" && unpack "$out/initrd.img" | cpio -id --quiet)
kernel_size=$(size_of "$out/bzImage")
initrd_size=$(size_of "$out/initrd.img")

# qemu_pss DEPLOYMENT: replica 0's QEMU, its proportional set size in MiB.
qemu_pss() { pss_per_pod 1 "$(jq -r .pid "$XDG_STATE_HOME/i2kit/$1/0/replica.json")"; echo; }
: >"$work/pss-cold"
: >"$work/pss-warm"
used=()
shmem=()
slab=()
vmalloc=()
uncounted=()
# field NAME: the number NAME has in the agent's last /status answer.
field() { sed -n "s/.*\"$1\":\\([0-9-]*\\).*/\\1/p" <<<"$status"; }
printf '' >"$work/boot-times"
printf '' >"$work/guest-times"
# Warm starts exist where `run` can force cold ones: then cold boots are forced, and warm ones
# measured after them.
cold_flag=()
"$host" run --help 2>&1 | grep -q -- '--cold' && cold_flag=(--cold)
# timeline KIND: appends the replica's boot timeline, "PHASE SINCE-START STEP" a line, to
# $work/phases-KIND, once its agent reported the Pod ready (the host's marks alone before).
timeline() {
  local json
  for _ in $(seq 50); do
    json=$("$host" ps -o json bench)
    jq -e '.[0].timeline | any(.phase == "pod-ready") and any(.phase == "in-balancer")' \
      <<<"$json" >/dev/null && break
    sleep 0.2
  done
  jq -r '.[0].timeline as $t | range(0; $t | length) as $i |
    "\($t[$i].phase) \($t[$i].sinceStart) \(if $i == 0 then 0 else $t[$i].sinceStart - $t[$i - 1].sinceStart end)"' \
    <<<"$json" >>"$work/phases-$1"
}
# phase_table KIND WHAT: the median of each phase since the start and of its step, in boot order.
phase_table() {
  [[ -s "$work/phases-$1" ]] || return 0
  echo
  echo "Boot phases, $1 ($2), in seconds: the median since the start on the host's clock, and the median step from the phase before (\`logs --timeline\` says what each phase is)."
  echo
  echo "| phase | since the start | step |"
  echo "|---|---|---|"
  sort -k1,1 -k2,2g "$work/phases-$1" | awk '
    function median_step(  i, j, t) {
      for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (d[j] < d[i]) { t = d[i]; d[i] = d[j]; d[j] = t }
      return d[int((n + 1) / 2)]
    }
    function flush() { if (n) printf "%s %.3f %.3f\n", p, s[int((n + 1) / 2)], median_step() }
    $1 != p { flush(); p = $1; n = 0 }
    { n++; s[n] = $2; d[n] = $3 }
    END { flush() }' | sort -k2,2g | awk '{ printf "| %s | %.2f | %+.2f |\n", $1, $2, $3 }'
}
for ((i = 1; i <= boots; i++)); do
  t=$(now)
  "$host" run "$out" "${cold_flag[@]}" --accel "$accel" -p "$port:8080" >"$work/run.log" 2>&1 &
  run_pid=$!
  until curl -sf -o /dev/null -m 1 "http://127.0.0.1:$port/"; do
    kill -0 "$run_pid" 2>/dev/null || { cat "$work/run.log" >&2; echo "benchmark: the VM stopped" >&2; exit 1; }
    awk -v s="$(since2 "$t")" 'BEGIN { exit !(s > 120) }' && { echo "benchmark: no HTTP 200 in 120 s" >&2; exit 1; }
    sleep 0.02
  done
  since2 "$t" >>"$work/boot-times"
  echo >>"$work/boot-times"
  agent_port=$(sed -n 's/.*"agentPort": *\([0-9]*\).*/\1/p' "$XDG_STATE_HOME/i2kit/bench/0/replica.json")
  until status=$(curl -sf -m 2 "http://127.0.0.1:$agent_port/status") && [[ $status == *'"ready":true'* ]]; do sleep 0.1; done
  used+=("$(field usedBytes)")
  shmem+=("$(field shmemBytes)")
  slab+=("$(field slabUnreclaimableBytes)")
  vmalloc+=("$(field vmallocBytes)")
  uncounted+=("$(field uncountedBytes)")
  total=$(sed -n 's/.*"totalBytes":\([0-9]*\).*/\1/p' <<<"$status")
  sed -n 's/.*pod ready, \([0-9.]*\) s after boot.*/\1/p' "$XDG_STATE_HOME/i2kit/bench/0/console.log" | head -1 >>"$work/guest-times"
  timeline cold
  qemu_pss bench >>"$work/pss-cold"
  "$host" down bench >/dev/null
  wait "$run_pid" || true
done

# Warm boots: a first run without --cold makes the snapshot (if the cold ones did not), then
# each run starts from it.
printf '' >"$work/warm-times"
printf '' >"$work/killed-times"
if ((${#cold_flag[@]})); then
  for ((i = 0; i <= boots; i++)); do
    t=$(now)
    "$host" run "$out" --accel "$accel" -p "$port:8080" -d >"$work/run.log" 2>&1 ||
      { cat "$work/run.log" >&2; echo "benchmark: a warm run failed" >&2; exit 1; }
    until curl -sf -o /dev/null -m 1 "http://127.0.0.1:$port/"; do sleep 0.02; done
    if ((i > 0)); then
      since2 "$t" >>"$work/warm-times"
      echo >>"$work/warm-times"
      timeline warm
      qemu_pss bench >>"$work/pss-warm"
      # Killed: the controller restores a replacement; back when the balancer answers again.
      kill -KILL "$(jq -r .pid "$XDG_STATE_HOME/i2kit/bench/0/replica.json")"
      t=$(now)
      until curl -sf -o /dev/null -m 1 "http://127.0.0.1:$port/"; do sleep 0.02; done
      since2 "$t" >>"$work/killed-times"
      echo >>"$work/killed-times"
    fi
    "$host" down bench >/dev/null
  done
fi

median() { printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
# median_of FILE: the median of FILE's numbers, one a line.
median_of() {
  local values
  mapfile -t values < <(grep . "$1")
  ((${#values[@]})) && median "${values[@]}"
}
# The comparator, in the same run: QEMU's start to its container's first HTTP 200.
conventional=""
if [[ ${CONVENTIONAL:-1} != 0 ]]; then
  conventional=$("$repo/scripts/conventional-vm.sh" first-200) || conventional=""
fi
# ratio FILE: the median of FILE's times as a ratio to the conventional VM's.
ratio() {
  local m
  m=$(median_of "$1") || return 0
  [[ -n $conventional && -n $m ]] && awk -v a="$m" -v b="$conventional" 'BEGIN { printf " (%.2f× the conventional VM)", a / b }'
}
memory=$(median "${used[@]}")
{
  benchmark_doc_header scripts/benchmark.sh "$boots"
  cat <<EOF
The example Pod (busybox httpd), $boots boots, accelerator $accel.

| what | measured | target |
|---|---|---|
| kernel (bzImage) | $(mib "$kernel_size") | |
| initrd (zstd; unpacked: agent $(mib "$(size_of "$work/initrd/init")"), runc + libraries as EROFS $(mib "$(size_of "$work/initrd/system.erofs")")) | $(mib "$initrd_size") | |
| kernel + initrd, without the app | $(mib $((kernel_size + initrd_size))) ($((kernel_size + initrd_size)) bytes) | ≤ 8 MiB (8388608 bytes) |
| container web (EROFS, lz4hc) | $(mib "$(size_of "$out/rootfs-web.erofs")") | |
| \`build\`, cold (empty output directory) / unchanged (up to date: reused) | $cold s / $warm s | |
| \`run\` to the first HTTP 200 on 127.0.0.1, cold | $(stats <"$work/boot-times")$(ratio "$work/boot-times") | ≤ 3.5 s |
| guest uptime when the agent reports the Pod ready | $(stats <"$work/guest-times") | |
| guest memory used once ready (MemTotal − MemAvailable, median) | $(mib "$memory") of $(mib "$total") (a $(sed -n 's/.*"memoryMiB": *\([0-9]*\).*/\1/p' "$out/vm.json") MiB VM) | ≤ 20 MiB |
| \`run -d\` to the first HTTP 200, warm (from a snapshot) | $([[ -s "$work/warm-times" ]] && stats <"$work/warm-times" || echo "no warm start in this build")$(ratio "$work/warm-times") | ≤ 2.0 s |
| a killed warm replica's VM to serving again through the balancer | $([[ -s "$work/killed-times" ]] && stats <"$work/killed-times") | ≤ 3 s |
| QEMU's memory per Pod VM on the host (PSS, median), cold / warm | $(median_of "$work/pss-cold") / $(median_of "$work/pss-warm") MiB (restored VMs share no pages: each reads the snapshot into its own RAM) | |
| the conventional VM (Debian 12 cloud kernel, systemd, runc): QEMU's start to the first HTTP 200 | ${conventional:-not measured} s | |
| of which (medians) | Shmem $(mib "$(median "${shmem[@]}")"), SUnreclaim $(mib "$(median "${slab[@]}")"), VmallocUsed $(mib "$(median "${vmalloc[@]}")"), in no counter $(mib "$(median "${uncounted[@]}")") | |
EOF
  phase_table cold "${cold_flag[*]:-run}, $boots boots"
  phase_table warm "from a snapshot, $boots boots"
} >"$work/section.md"
cat "$work/section.md"
! $write_doc || benchmark_doc_write benchmark.sh "$repo/docs/benchmarks.md" <"$work/section.md"
