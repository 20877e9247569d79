#!/usr/bin/env bash
# Issue 4's figures, by the method of the thesis on Kubernetes runtimes: start N Pods (default
# N = 1, 5, 10) of the busybox-httpd example and time until all are ready; memory per Pod as
# the drop in the host's MemAvailable divided by N, and guest-side (MemTotal − MemAvailable
# as each agent reports it). Beside it, the same image as N plain runc containers on the host,
# the "Kubernetes worker" analogue (no VM, no isolation beyond namespaces). Prints a table and
# draws a PNG plot. A benchmark, not a test: it asserts nothing, it reports. The table is
# docs/benchmarks.md's section; --doc also writes it there.
#
# Usage: scripts/benchmark-replicas.sh [--doc] [N...]   Needs a build (scripts/test.sh or cmake
# --build build) and root (runc on the host). Env: I2KIT_BUILD_DIR (default build), ACCEL (default tcg:
# KVM does not work on these machines), PLOT (default build/benchmark-replicas.png).
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
source "$repo/scripts/benchmark-doc.sh"
write_doc=false
[[ ${1:-} == --doc ]] && { write_doc=true; shift; }
build_dir=${I2KIT_BUILD_DIR:-$repo/build}
host="$build_dir/bin/i2kit-host"
agent="$build_dir/bin/i2kit-agent"
accel=${ACCEL:-tcg}
plot=${PLOT:-$build_dir/benchmark-replicas.png}
counts=("$@")
((${#counts[@]})) || counts=(1 5 10)
[[ -x "$host" && -x "$agent" ]] || { echo "benchmark: build i2kit first ($host)" >&2; exit 1; }
((EUID == 0)) || { echo "benchmark: runc on the host needs root" >&2; exit 1; }
for n in "${counts[@]}"; do
  [[ $n =~ ^[1-9][0-9]*$ ]] || { echo "benchmark: N must be positive numbers" >&2; exit 2; }
done
command -v gnuplot >/dev/null || apt-get install -y -qq gnuplot-nox >/dev/null

work=$(mktemp -d)
export XDG_STATE_HOME="$work/state"  # its own VMs only
containers=()
cleanup() {
  "$host" down bench >/dev/null 2>&1 || true
  for c in "${containers[@]}"; do runc delete -f "$c" >/dev/null 2>&1 || true; done
  rm -rf "$work"
}
trap cleanup EXIT

now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }
mem_available_kib() { awk '/^MemAvailable:/ { print $2 }' /proc/meminfo; }
# settle: page cache and the allocator quiet down before a memory reading.
settle() { sync; sleep 3; }

images="$repo/build/examples/images"
"$repo/examples/build-images.sh" "$images" >/dev/null
kernel=$(I2KIT_KERNEL= "$repo/scripts/build-kernel.sh")

# --- Pod VMs -----------------------------------------------------------------------------
manifest() {
  cat <<EOF
apiVersion: apps/v1
kind: Deployment
metadata: {name: bench}
spec:
  replicas: $1
  selector: {matchLabels: {app: bench}}
  template:
    metadata: {labels: {app: bench}}
    spec:
      terminationGracePeriodSeconds: 1
      containers:
        - name: web
          image: oci:$images/busybox-httpd:latest
          ports: [{containerPort: 8080}]
EOF
}

declare -A vm_ready vm_host vm_guest rc_ready rc_host
for n in "${counts[@]}"; do
  manifest "$n" >"$work/bench.yml"
  "$host" build "$work/bench.yml" -o "$work/out" --kernel "$kernel" --agent "$agent" >/dev/null
  settle
  before=$(mem_available_kib)
  t=$(now)
  "$host" run "$work/out/bench" -d --accel "$accel" --timeout 600 >/dev/null 2>"$work/run.log" ||
    { cat "$work/run.log" >&2; exit 1; }
  vm_ready[$n]=$(since "$t")
  settle
  after=$(mem_available_kib)
  vm_host[$n]=$(awk -v a="$before" -v b="$after" -v n="$n" 'BEGIN { printf "%.1f", (a - b) / n / 1024 }')
  total=0
  for port in $("$host" ps -o json | jq -r '.[].agentPort'); do
    used=$(curl -sf -m 5 "http://127.0.0.1:$port/status" | jq '.memory.usedBytes')
    total=$((total + used))
  done
  vm_guest[$n]=$(awk -v t="$total" -v n="$n" 'BEGIN { printf "%.1f", t / n / 1048576 }')
  "$host" down bench >/dev/null 2>&1
done

# --- the same image as runc containers on the host -----------------------------------------
bundle="$work/bundle"
mkdir -p "$bundle/rootfs"
layout="$images/busybox-httpd"
manifest_digest=$(jq -r '.manifests[0].digest' "$layout/index.json")
for layer in $(jq -r '.layers[].digest' "$layout/blobs/sha256/${manifest_digest#sha256:}"); do
  tar -xf "$layout/blobs/sha256/${layer#sha256:}" -C "$bundle/rootfs"
done
for n in "${counts[@]}"; do
  settle
  before=$(mem_available_kib)
  t=$(now)
  for ((i = 0; i < n; i++)); do
    dir="$work/c$i"
    mkdir -p "$dir"
    # The host's network (no namespace of its own), so each container gets its own port.
    (cd "$dir" && rm -f config.json && runc spec)
    jq --arg root "$bundle/rootfs" --arg port "127.0.0.1:$((19000 + i))" \
      '.root = {path: $root, readonly: true} | .process.terminal = false
       | .process.args = ["/bin/busybox", "httpd", "-f", "-p", $port, "-h", "/www"]
       | .linux.namespaces = [.linux.namespaces[] | select(.type != "network")]' \
      "$dir/config.json" >"$dir/config.new" && mv "$dir/config.new" "$dir/config.json"
    containers+=("bench-$i")
    (cd "$dir" && runc run -d "bench-$i" </dev/null >/dev/null 2>&1)
  done
  for ((i = 0; i < n; i++)); do
    until curl -sf -o /dev/null -m 1 "http://127.0.0.1:$((19000 + i))/"; do sleep 0.02; done
  done
  rc_ready[$n]=$(since "$t")
  settle
  after=$(mem_available_kib)
  rc_host[$n]=$(awk -v a="$before" -v b="$after" -v n="$n" 'BEGIN { printf "%.1f", (a - b) / n / 1024 }')
  for c in "${containers[@]}"; do runc delete -f "$c" >/dev/null 2>&1 || true; done
  containers=()
done

# --- report ----------------------------------------------------------------------------------
: >"$work/data"
{
  benchmark_doc_header scripts/benchmark-replicas.sh "${counts[@]}"
  echo "Accelerator $accel; host memory per Pod is the drop in the host's MemAvailable divided by N."
  echo
  echo "| N | all ready: Pod VMs | runc on host | host memory per Pod: Pod VMs | runc on host | guest memory per Pod |"
  echo "|---|---|---|---|---|---|"
  for n in "${counts[@]}"; do
    echo "| $n | ${vm_ready[$n]} s | ${rc_ready[$n]} s | ${vm_host[$n]} MiB | ${rc_host[$n]} MiB | ${vm_guest[$n]} MiB |"
    echo "$n ${vm_ready[$n]} ${rc_ready[$n]} ${vm_host[$n]} ${rc_host[$n]}" >>"$work/data"
  done
} >"$work/section.md"
cat "$work/section.md"

gnuplot <<EOF
set terminal png size 1000,420 font ",10"
set output "$plot"
set multiplot layout 1,2 title "i2kit: N Pods of busybox httpd, one minimal VM each ($accel), vs runc on the host"
set xlabel "Pods (N)"
set key top left
set grid
set ylabel "seconds until all ready"
plot "$work/data" using 1:2 with linespoints title "Pod VMs", "" using 1:3 with linespoints title "runc on host"
set ylabel "host memory per Pod (MiB)"
plot "$work/data" using 1:4 with linespoints title "Pod VMs", "" using 1:5 with linespoints title "runc on host"
unset multiplot
EOF
echo "plot: $plot"
! $write_doc || benchmark_doc_write benchmark-replicas.sh "$repo/docs/benchmarks.md" <"$work/section.md"
