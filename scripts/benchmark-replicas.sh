#!/usr/bin/env bash
# N Pods of one web image (the busybox-httpd example), three ways, by the methods of the i2kit
# paper (Table I) and of the thesis on Kubernetes runtimes (Table 5.1, Fig. 5.1):
#   - Pod VMs: N replicas under `i2kit-host run`, one minimal VM each;
#   - one conventional worker VM (scripts/conventional-vm.sh: Debian 12, systemd, runc) running
#     the N containers, its memory counted whole — the paper's Kubernetes "worker node";
#   - N plain runc containers on the host — the thesis' runc row (no VM at all).
# For each: the time until all N serve, and memory per Pod as the drop in the host's
# MemAvailable divided by N (for Pod VMs also the guest's own use, MemTotal − MemAvailable as
# each agent reports it), and, since a busy host's MemAvailable moves with everything else it
# runs, also the processes' PSS (QEMU's for VMs, httpd's for runc on the host). For the N in NET (default 1 5), also throughput: wrk for SECONDS
# through the local load balancer (the one `run` puts in front of replicas; i2kit-balance puts
# it in front of the worker's and the host's containers), in total and per Pod. When
# `i2kit-host run --help` offers --cold, Pod VMs start both ways and both times are shown.
# A benchmark, not a test: it asserts nothing, it reports. Prints docs/benchmarks.md's section
# (--doc also writes it there), draws a PNG plot, and writes the figures one line per N to DATA.
#
# Usage: scripts/benchmark-replicas.sh [--doc] [N...]   (default N = 1 5 10). Needs a build
# (cmake --build build) and root (runc on the host). Env: I2KIT_BUILD_DIR (default build),
# ACCEL (default tcg: KVM does not work on these machines), PLOT (default
# build/benchmark-replicas.png), DATA (default: none), NET (the N to measure throughput at,
# default "1 5"; "" for none), SECONDS_NET (wrk's duration, default 10), WORKER (0: no worker VM).
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
source "$repo/scripts/benchmark-doc.sh"
source "$repo/scripts/benchmark-lib.sh"
write_doc=false
[[ ${1:-} == --doc ]] && { write_doc=true; shift; }
build_dir=${I2KIT_BUILD_DIR:-$repo/build}
host="$build_dir/bin/i2kit-host"
agent="$build_dir/bin/i2kit-agent"
balance="$build_dir/bin/i2kit-balance"
accel=${ACCEL:-tcg}
plot=${PLOT:-$build_dir/benchmark-replicas.png}
read -ra net_counts <<<"${NET-1 5}"
net_seconds=${SECONDS_NET:-10}
worker=${WORKER:-1}
counts=("$@")
((${#counts[@]})) || counts=(1 5 10)
[[ -x "$host" && -x "$agent" && -x "$balance" ]] || { echo "benchmark: build i2kit first ($host, i2kit-balance)" >&2; exit 1; }
((EUID == 0)) || { echo "benchmark: runc on the host needs root" >&2; exit 1; }
for n in "${counts[@]}"; do
  [[ $n =~ ^[1-9][0-9]*$ ]] || { echo "benchmark: N must be positive numbers" >&2; exit 2; }
done
command -v gnuplot >/dev/null || apt-get install -y -qq gnuplot-nox >/dev/null
command -v wrk >/dev/null || apt-get install -y -qq wrk >/dev/null
progress() { echo "benchmark-replicas: $*" >&2; }

work=$(mktemp -d)
export XDG_STATE_HOME="$work/state"  # its own VMs only
containers=()
balancer_pid=""
lb_port=${LB_PORT:-18580}     # the Pod VMs' balancer; each other balancer picks a free port
rc_port=${RC_PORT:-19000}     # runc container i on rc_port + i
wk_port=${WORKER_PORT:-19200} # the worker VM's container i on wk_port + i
cleanup() {
  "$host" down bench >/dev/null 2>&1 || true
  "$repo/scripts/conventional-vm.sh" stop "$work/worker" 2>/dev/null || true
  [[ -z $balancer_pid ]] || kill "$balancer_pid" 2>/dev/null || true
  for c in "${containers[@]}"; do runc delete -f "$c" >/dev/null 2>&1 || true; done
  rm -rf "$work"
}
trap cleanup EXIT

measure_net() { [[ " ${net_counts[*]} " == *" $1 "* ]]; }
# wrk_figures PORT N: "REQUESTS/S MBIT/S" for SECONDS_NET of wrk through 127.0.0.1:PORT, with
# 2 connections per backend (at least 4) so that every backend gets some.
wrk_figures() {
  local connections=$(($2 * 2 < 4 ? 4 : $2 * 2))
  until curl -sf -o /dev/null -m 2 "http://127.0.0.1:$1/"; do sleep 0.2; done
  wrk -t2 -c"$connections" -d"${net_seconds}s" "http://127.0.0.1:$1/" | awk '
    /^Requests\/sec:/ { rps = $2 }
    /^Transfer\/sec:/ { v = $2; m = 8 / 1e6
      if (v ~ /GB$/) m *= 1024 * 1024 * 1024; else if (v ~ /MB$/) m *= 1024 * 1024; else if (v ~ /KB$/) m *= 1024
      sub(/[KMG]?B$/, "", v); mbps = v * m }
    END { printf "%.0f %.2f\n", rps, mbps }'
}
# balanced_net N ADDRESS...: wrk_figures through i2kit-balance in front of the addresses.
balanced_net() {
  local n=$1 port
  shift
  : >"$work/balance.port"
  "$balance" 0 "$@" >"$work/balance.port" &
  balancer_pid=$!
  until read -r port <"$work/balance.port" && [[ -n $port ]]; do sleep 0.05; done
  wrk_figures "$port" "$n"
  kill "$balancer_pid"
  wait "$balancer_pid" 2>/dev/null || true
  balancer_pid=""
}
per_pod() { awk -v a="$1" -v b="$2" -v n="$3" 'BEGIN { printf "%.1f", (a - b) / n / 1024 }'; }

images="$repo/build/examples/images"
"$repo/examples/build-images.sh" "$images" >/dev/null
kernel=$(I2KIT_KERNEL='' "$repo/scripts/build-kernel.sh")
cold_too=false
"$host" run --help 2>/dev/null | grep -q -- '--cold' && cold_too=true
((worker == 0)) || { progress "the conventional worker VM image: $(I2KIT_IMAGES=$images "$repo/scripts/conventional-vm.sh" path)"; }

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
# run_pods N [FLAG]: starts N Pod VMs (all ready on return), prints the seconds it took.
run_pods() {
  local t
  t=$(now)
  "$host" run "$work/out/bench" -d -p "$lb_port:8080" --accel "$accel" --timeout 600 ${2:+"$2"} \
    >/dev/null 2>"$work/run.log" || { cat "$work/run.log" >&2; exit 1; }
  since "$t"
}

declare -A vm_ready vm_cold vm_host vm_guest vm_net vm_pss rc_ready rc_host rc_net rc_pss wk_ready wk_inside wk_host wk_net wk_pss
for n in "${counts[@]}"; do
  manifest "$n" >"$work/bench.yml"
  "$host" build "$work/bench.yml" -o "$work/out" --kernel "$kernel" --agent "$agent" >/dev/null
  if $cold_too; then
    progress "N=$n: Pod VMs, cold start"
    vm_cold[$n]=$(run_pods "$n" --cold)
    "$host" down bench >/dev/null 2>&1
  fi
  progress "N=$n: Pod VMs"
  settle
  before=$(mem_available_kib)
  vm_ready[$n]=$(run_pods "$n")
  settle
  vm_host[$n]=$(per_pod "$before" "$(mem_available_kib)" "$n")
  mapfile -t pids < <("$host" ps -o json | jq -r '.[].pid')
  vm_pss[$n]=$(pss_per_pod "$n" "${pids[@]}")
  total=0
  for port in $("$host" ps -o json | jq -r '.[].agentPort'); do
    used=$(curl -sf -m 5 "http://127.0.0.1:$port/status" | jq '.memory.usedBytes')
    total=$((total + used))
  done
  vm_guest[$n]=$(awk -v t="$total" -v n="$n" 'BEGIN { printf "%.1f", t / n / 1048576 }')
  if measure_net "$n"; then
    progress "N=$n: Pod VMs, wrk ${net_seconds} s through the balancer"
    vm_net[$n]=$(wrk_figures "$lb_port" "$n")
  fi
  "$host" down bench >/dev/null 2>&1
  progress "N=$n: Pod VMs ready in ${vm_ready[$n]} s${vm_cold[$n]:+ (cold ${vm_cold[$n]} s)}, ${vm_host[$n]} MiB per Pod (PSS ${vm_pss[$n]} MiB)${vm_net[$n]:+, wrk ${vm_net[$n]% *} requests/s}"
done

# --- one conventional worker VM running the N containers -----------------------------------
if ((worker)); then
  for n in "${counts[@]}"; do
    progress "N=$n: the worker VM"
    settle
    before=$(mem_available_kib)
    figures=$(I2KIT_IMAGES=$images "$repo/scripts/conventional-vm.sh" start "$work/worker" "$n" "$wk_port")
    read -r ready inside <<<"$figures"
    wk_ready[$n]=$ready
    wk_inside[$n]=$inside
    settle
    wk_host[$n]=$(per_pod "$before" "$(mem_available_kib)" "$n")
    wk_pss[$n]=$(pss_per_pod "$n" "$(cat "$work/worker/qemu.pid")")
    if measure_net "$n"; then
      addresses=()
      for ((i = 0; i < n; i++)); do addresses+=("127.0.0.1:$((wk_port + i))"); done
      wk_net[$n]=$(balanced_net "$n" "${addresses[@]}")
    fi
    "$repo/scripts/conventional-vm.sh" stop "$work/worker"
    progress "N=$n: the worker VM served all in ${wk_ready[$n]} s (containers ${wk_inside[$n]} s), ${wk_host[$n]} MiB per Pod (PSS ${wk_pss[$n]} MiB)"
  done
fi

# --- the same image as runc containers on the host -----------------------------------------
oci_unpack "$images/busybox-httpd" "$work/bundle/rootfs"
for n in "${counts[@]}"; do
  progress "N=$n: runc on the host"
  settle
  before=$(mem_available_kib)
  t=$(now)
  addresses=()
  for ((i = 0; i < n; i++)); do
    # The host's network (no namespace of its own), so each container gets its own port.
    httpd_bundle "$work/c$i" "$work/bundle/rootfs" "127.0.0.1:$((rc_port + i))"
    containers+=("bench-$$-$i")
    runc run -d --bundle "$work/c$i" "bench-$$-$i" </dev/null >/dev/null 2>&1
    addresses+=("127.0.0.1:$((rc_port + i))")
  done
  for ((i = 0; i < n; i++)); do
    until curl -sf -o /dev/null -m 1 "http://127.0.0.1:$((rc_port + i))/"; do sleep 0.02; done
  done
  rc_ready[$n]=$(since "$t")
  settle
  rc_host[$n]=$(per_pod "$before" "$(mem_available_kib)" "$n")
  pids=()
  for c in "${containers[@]}"; do pids+=("$(runc state "$c" | jq -r .pid)"); done
  rc_pss[$n]=$(pss_per_pod "$n" "${pids[@]}")
  ! measure_net "$n" || rc_net[$n]=$(balanced_net "$n" "${addresses[@]}")
  for c in "${containers[@]}"; do runc delete -f "$c" >/dev/null 2>&1 || true; done
  containers=()
done

# --- report ----------------------------------------------------------------------------------
# per_pod_net "RPS MBPS" N: "total requests/s (per Pod)" for the table.
net_cell() { [[ -n $1 ]] && awk -v f="$1" -v n="$2" 'BEGIN { split(f, v, " "); printf "%d/s (%d/s per Pod), %.1f Mbit/s", v[1], v[1] / n, v[2] }' || echo "—"; }
data=${DATA:-$work/data}
: >"$data"
{
  benchmark_doc_header scripts/benchmark-replicas.sh "${counts[@]}"
  echo "Accelerator $accel. Memory per Pod: the drop in the host's MemAvailable divided by N"
  echo "(the worker VM counted whole), and in brackets the PSS of the Pod's processes (QEMU; httpd"
  echo "for runc), which other work on a shared host does not move; guest: MemTotal − MemAvailable"
  echo "in each Pod VM. Ready: from the command until all N answer HTTP (worker VM: from QEMU's"
  echo "start; in brackets from its first \`runc run\`)."
  $cold_too && echo "Pod VMs start warm (the default) and, in brackets, cold (\`run --cold\`)."
  echo
  echo "| N | ready: Pod VMs | worker VM | runc on host | memory per Pod: Pod VMs | worker VM | runc on host | guest memory per Pod VM |"
  echo "|---|---|---|---|---|---|---|---|"
  for n in "${counts[@]}"; do
    echo "| $n | ${vm_ready[$n]} s${vm_cold[$n]:+ (${vm_cold[$n]} s)} | ${wk_ready[$n]:-—} s${wk_inside[$n]:+ (${wk_inside[$n]} s)} | ${rc_ready[$n]} s | ${vm_host[$n]} MiB (${vm_pss[$n]}) | ${wk_host[$n]:-—} MiB (${wk_pss[$n]:-—}) | ${rc_host[$n]} MiB (${rc_pss[$n]}) | ${vm_guest[$n]} MiB |"
    read -r vm_rps vm_mbps <<<"${vm_net[$n]:-- -}"
    read -r wk_rps wk_mbps <<<"${wk_net[$n]:-- -}"
    read -r rc_rps rc_mbps <<<"${rc_net[$n]:-- -}"
    echo "$n ${vm_ready[$n]} ${vm_cold[$n]:--} ${wk_ready[$n]:--} ${wk_inside[$n]:--} ${rc_ready[$n]} ${vm_host[$n]} ${wk_host[$n]:--} ${rc_host[$n]} ${vm_guest[$n]} $vm_rps $vm_mbps $wk_rps $wk_mbps $rc_rps $rc_mbps ${vm_pss[$n]} ${wk_pss[$n]:--} ${rc_pss[$n]}" >>"$data"
  done
  if ((${#net_counts[@]})); then
    echo
    echo "Throughput: \`wrk -t2\` for $net_seconds s, 2 connections per Pod (at least 4), through the local load"
    echo "balancer to N replicas of the 17-byte page (so requests per second; Mbit/s counts HTTP bytes)."
    echo
    echo "| N | Pod VMs | worker VM | runc on host |"
    echo "|---|---|---|---|"
    for n in "${counts[@]}"; do
      measure_net "$n" || continue
      echo "| $n | $(net_cell "${vm_net[$n]:-}" "$n") | $(net_cell "${wk_net[$n]:-}" "$n") | $(net_cell "${rc_net[$n]:-}" "$n") |"
    done
  fi
} >"$work/section.md"
cat "$work/section.md"

# Columns of DATA: 1 N, 2 Pod VMs ready, 3 cold, 4 worker ready, 5 worker's containers, 6 runc ready,
# 7-9 memory per Pod (Pod VMs, worker, runc), 10 guest, 11-16 requests/s and Mbit/s (same order),
# 17-19 PSS per Pod (same order).
{ plot_preamble "$plot" "N Pods of busybox httpd ($accel): one minimal VM each, one Debian worker VM, runc on the host"; cat; } <<EOF | gnuplot
set key top left
set ylabel "seconds until all serve"
plot "$data" using 1:2 with linespoints title "Pod VMs", "" using 1:4 with linespoints title "worker VM (from boot)", "" using 1:5 with linespoints title "worker VM (containers only)", "" using 1:6 with linespoints title "runc on host"
set ylabel "host memory per Pod (MiB)"
set key top right
plot "$data" using 1:17 with linespoints title "Pod VMs (PSS)", "" using 1:18 with linespoints title "worker VM, counted whole (PSS)", "" using 1:19 with linespoints title "runc on host (PSS)", \
     "" using 1:7 with points title "Pod VMs (MemAvailable drop)", "" using 1:8 with points title "worker VM (MemAvailable drop)", "" using 1:9 with points title "runc (MemAvailable drop)"
unset multiplot
EOF
progress "plot: $plot"
! $write_doc || benchmark_doc_write benchmark-replicas.sh "$repo/docs/benchmarks.md" <"$work/section.md"
