#!/usr/bin/env bash
# The evaluation a reader of the i2kit paper (Medel et al., 2018) would run: its Table I and
# the runtimes thesis' Table 5.1 and Fig. 5.1, measured on this machine by the same methods and
# shown beside the published figures, with the date, CPU, accelerator and load they ran under.
#   - Memory, start time and throughput of N Pods: scripts/benchmark-replicas.sh (Pod VMs, one
#     conventional Debian worker VM running the N containers, runc on the host).
#   - CPU: stress-ng's cpu stressor in a Pod VM against the same on the host, as a ratio.
# Writes a Markdown report and PNG plots into OUT (default build/evaluation); with --doc, into
# docs/benchmarks.md (this script's section and benchmark-replicas.sh's), docs/*.png and the
# README's few figures (its own evaluate.sh section), so no figure there is typed by hand.
# Progress goes to the terminal. A benchmark, not a test: it asserts nothing, it reports.
#
# Usage: scripts/evaluate.sh [--quick] [--doc]
#   --quick   N = 1, 5, 10; throughput at N = 1 and 5 for 5 s; stress-ng for 10 s (~10 min)
#   default   N = 1, 5, 10, 20, 25, 30, 40; throughput at 1, 5, 25 for 15 s; stress-ng 60 s
# Needs root; installs what it needs (scripts/benchmark-deps.txt) and builds i2kit's binaries.
# Env: I2KIT_BUILD_DIR, ACCEL (default tcg), OUT.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
source "$repo/scripts/benchmark-doc.sh"
source "$repo/scripts/benchmark-lib.sh"
quick=false
write_doc=false
for arg in "$@"; do
  case $arg in
    --quick) quick=true ;;
    --doc) write_doc=true ;;
    *) sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//' >&2; exit 2 ;;
  esac
done
build_dir=${I2KIT_BUILD_DIR:-$repo/build}
host="$build_dir/bin/i2kit-host"
agent="$build_dir/bin/i2kit-agent"
accel=${ACCEL:-tcg}
out=${OUT:-$build_dir/evaluation}
if $write_doc; then out="$repo/docs"; fi
if $quick; then
  counts=(1 5 10) net=(1 5) net_seconds=5 cpu_seconds=10
else
  counts=(1 5 10 20 25 30 40) net=(1 5 25) net_seconds=15 cpu_seconds=60
fi
((EUID == 0)) || { echo "evaluate: needs root (runc on the host)" >&2; exit 1; }
progress() { echo "evaluate: [$(date -u +%H:%M:%S)] $*" >&2; }
# Set-up, as the README's commands do: what is missing of the packages, and the binaries
# (incremental: up to date in a second).
progress "installing what is missing of the dependencies, building i2kit"
"$repo/scripts/install-deps.sh" "$repo/scripts/benchmark-deps.txt" >&2
[[ -f $build_dir/CMakeCache.txt ]] || cmake -S "$repo" -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$build_dir" --target i2kit-host i2kit-agent i2kit-balance i2kit-ec2-reporter >/dev/null

work=$(mktemp -d)
export XDG_STATE_HOME="$work/state"
cleanup() {
  "$host" down cpu >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
mkdir -p "$out"
started=$(now)
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
progress "accelerator $accel, $(nproc) cores, load average $load_before; report into $out"

# --- N Pods: memory, start time, throughput --------------------------------------------------
replicas_args=()
! $write_doc || replicas_args+=(--doc)
progress "N Pods (${counts[*]}): scripts/benchmark-replicas.sh"
DATA="$work/replicas.data" PLOT="$out/benchmark-replicas.png" NET="${net[*]}" SECONDS_NET=$net_seconds \
  ACCEL=$accel "$repo/scripts/benchmark-replicas.sh" "${replicas_args[@]}" "${counts[@]}" >"$work/replicas.md"

# --- CPU: stress-ng in a Pod VM against the host ----------------------------------------------
# stress_rates OUTPUT: "OPS REAL USR+SYS", the cpu stressor's bogo ops, and its bogo ops/s by wall
# clock and by the CPU time it was given.
stress_rates() { awk '$4 == "cpu" && $5 ~ /^[0-9]+$/ { print $5, $(NF - 1), $NF }' <<<"$1"; }
# cpu_seconds_of PID: the CPU time the process has used (user + system).
cpu_seconds_of() { awk -v hz="$(getconf CLK_TCK)" '{ printf "%.2f", ($14 + $15) / hz }' "/proc/$1/stat"; }
stress=(--cpu 1 --timeout "${cpu_seconds}s" --metrics-brief)
progress "CPU: stress-ng ${stress[*]} on the host"
host_rates=$(stress_rates "$(stress-ng "${stress[@]}" 2>&1)")
progress "CPU: the same in a Pod VM"
stress_ng_image "$work/images/stress-ng"
cat >"$work/cpu.yml" <<EOF
apiVersion: apps/v1
kind: Deployment
metadata: {name: cpu}
spec:
  selector: {matchLabels: {app: cpu}}
  template:
    metadata: {labels: {app: cpu}}
    spec:
      terminationGracePeriodSeconds: 1
      containers:
        - name: stress
          image: oci:$work/images/stress-ng:latest
EOF
kernel=$(I2KIT_KERNEL='' "$repo/scripts/build-kernel.sh")
"$host" build "$work/cpu.yml" -o "$work/out" --kernel "$kernel" --agent "$agent" >/dev/null
"$host" run "$work/out/cpu" -d --accel "$accel" --timeout 600 >/dev/null 2>"$work/run.log" ||
  { cat "$work/run.log" >&2; exit 1; }
# Inside the guest, CPU time is the guest's own clock, which runs on while QEMU waits for the
# host's CPU; what the run cost the host is QEMU's CPU time.
qemu_pid=$("$host" ps -o json | jq -r '.[0].pid')
qemu_before=$(cpu_seconds_of "$qemu_pid")
vm_rates=$(stress_rates "$("$host" exec cpu -- /usr/bin/stress-ng "${stress[@]}" --temp-path /tmp 2>&1)")
qemu_cpu=$(awk -v a="$qemu_before" -v b="$(cpu_seconds_of "$qemu_pid")" 'BEGIN { printf "%.2f", b - a }')
"$host" down cpu >/dev/null 2>&1
read -r _ host_real host_cpu <<<"$host_rates"
read -r vm_ops vm_real _ <<<"$vm_rates"
vm_cpu=$(awk -v o="$vm_ops" -v s="$qemu_cpu" 'BEGIN { if (s > 0) printf "%.2f", o / s; else print 0 }')
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "—" }'; }
progress "CPU: host $host_cpu bogo ops per CPU second, Pod VM $vm_cpu (ratio $(ratio "$vm_cpu" "$host_cpu"))"

# --- report --------------------------------------------------------------------------------------
elapsed=$(since "$started")
load_after=$(cut -d' ' -f1-3 /proc/loadavg)
data="$work/replicas.data"
# col N COLUMN: the DATA column for N ("-" when not measured).
col() { awk -v n="$1" -v c="$2" '$1 == n { print $c }' "$data"; }
first=${counts[0]}
last=${counts[-1]}
# The worker VM's memory (PSS: MemAvailable moves with the other work of a shared host) as a
# line: a base and a cost per container, from its first and last N (a busybox httpd costs less
# than PSS's noise, so a slope below 0 is read as 0).
read -r worker_base worker_each < <(awk -v f="$first" -v l="$last" '
  $1 == f { a = $18 * $1 } $1 == l { b = $18 * $1 }
  END { e = (b - a) / (l - f); if (e < 0) e = 0; printf "%.0f %.1f\n", a - e * f, e }' "$data")
if "$host" run --help 2>/dev/null | grep -q -- '--cold'; then
  starts="Pod VMs start warm (the default) and cold (\`run --cold\`, in brackets in the table above)."
else
  starts="Every Pod VM boots cold: this \`i2kit-host run\` has no warm start to compare with yet."
fi
vm_each=$(col "$last" 17)
# per_n COLUMN UNIT [N...]: the column's figure at each N (default: every N), "FIGURE UNIT (N=n)",
# comma-separated. A column of requests/s is shown per Pod (÷ N).
per_n() {
  local column=$1 unit=$2 n sep="" figure
  shift 2
  for n in "${@:-${counts[@]}}"; do
    figure=$(col "$n" "$column")
    [[ $unit != /s ]] || figure=$(awk -v r="$figure" -v n="$n" 'BEGIN { printf "%d", r / n }')
    printf '%s%s%s (N=%s)' "$sep" "$figure" "$unit" "$n"
    sep=", "
  done
}
breakeven=$(awk -v b="$worker_base" -v e="$worker_each" -v v="$vm_each" \
  'BEGIN { if (v <= e) print "never"; else if (b <= 0) print 1; else printf "%d", b / (v - e) + 1 }')
qemu_version=$(qemu-system-x86_64 --version | head -1 | awk '{print $4}')
cpu_model=$(grep -m1 '^model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')
worker_versions=$(tr '\n' ' ' <"$("$repo/scripts/conventional-vm.sh" path)/versions" | sed 's/ $//; s/ \([a-z]\)/, \1/g')
mode=full flag=""
! $quick || mode=--quick flag=" --quick"
if [[ $breakeven == never ]]; then
  crossover="a shared worker never uses less memory here"
elif ((breakeven == 1)); then
  crossover="a shared worker uses less memory from the first Pod on"
else
  crossover="from about $breakeven Pods on a shared worker uses less memory (below that, its base is paid by too few Pods and i2kit wins)"
fi

# Published figures, for the plots: N, paper's i2kit GB, paper's Kubernetes worker GB.
cat >"$work/published.data" <<EOF
1 - 1.94
10 0.78 2.09
20 1.56 2.27
30 2.34 2.44
40 3.12 2.62
EOF
{ plot_preamble "$out/evaluation-memory.png" "Memory for N Pods: this machine ($accel) beside the i2kit paper's Table I(a) (EC2)"; cat; } <<EOF | gnuplot
set key top left
set ylabel "host memory, all N Pods (MiB, PSS)"
plot "$data" using 1:(\$17*\$1) with linespoints title "Pod VMs (here)", \
     "" using 1:(\$18*\$1) with linespoints title "one worker VM (here)", \
     "" using 1:(\$19*\$1) with linespoints title "runc on host (here)"
set ylabel "memory, all N Pods (GB, published)"
plot "$work/published.data" using 1:2 with linespoints title "i2kit (paper)", \
     "" using 1:3 with linespoints title "Kubernetes worker (paper)"
unset multiplot
EOF
{ plot_preamble "$out/evaluation-network.png" "Throughput through the local load balancer ($accel, wrk, 17-byte page)"; cat; } <<EOF | gnuplot
set key top right
set ylabel "requests/s, all Pods"
plot "$data" using 1:11 with linespoints title "Pod VMs", "" using 1:13 with linespoints title "worker VM", "" using 1:15 with linespoints title "runc on host"
set ylabel "requests/s per Pod"
plot "$data" using 1:(\$11/\$1) with linespoints title "Pod VMs", "" using 1:(\$13/\$1) with linespoints title "worker VM", "" using 1:(\$15/\$1) with linespoints title "runc on host"
unset multiplot
EOF

image_dir=""
$write_doc || image_dir="$out/"
{
  if $quick; then benchmark_doc_header scripts/evaluate.sh --quick; else benchmark_doc_header scripts/evaluate.sh; fi
  cat <<EOF
Machine: $cpu_model, $(nproc) cores shared with other work, QEMU $qemu_version, accelerator
**$accel** for every VM figure. This run ($mode) took $elapsed s; load average $load_before at
its start, $load_after at its end. The worker VM: Debian 12 ($worker_versions), 512 MiB, 1 vCPU,
the same QEMU and accelerator (TCG's translation cache 32 MiB as a Pod VM's), built by
\`scripts/conventional-vm.sh\`. The N-Pod figures are benchmark-replicas.sh's table above. $starts

![memory](${image_dir}evaluation-memory.png)
![start time and memory per Pod](${image_dir}benchmark-replicas.png)
![throughput](${image_dir}evaluation-network.png)

| figure | published | method there | here | method here |
|---|---|---|---|---|
| memory per Pod VM | 78 MB per i2kit Pod (paper, Table I(a); 0.78 / 3.12 GB for 10 / 40 Pods); Kata-QEMU 152 MiB, Kata-Firecracker 135 MiB (thesis, Table 5.1) | EC2 instances counted whole (paper); free memory before/after 100 pods ÷ 100 (thesis) | PSS $(per_n 17 " MiB"); MemAvailable drop $(per_n 7 " MiB") | QEMU's PSS ÷ N; host MemAvailable drop ÷ N (noisy on a shared host) |
| memory per Pod, shared node | Kubernetes worker 1.94 GB with 1 Pod, 2.62 GB with 40 (paper): ~1.92 GB base + ~17 MB per Pod; runc 10 MiB (thesis) | as above | worker VM: PSS $(per_n 18 " MiB"), as a line $worker_base MiB base + $worker_each MiB per Pod; MemAvailable drop $(per_n 8 " MiB"). runc on the host: PSS $(per_n 19 " MiB") | as above, the worker VM counted whole; runc: httpd's PSS |
| guest's own memory per Pod VM | — | — | $(col "$last" 10) MiB (N=$last) | MemTotal − MemAvailable, from each agent |
| time to start N Pods | 100 pods on 2 nodes: 28 s Kata-QEMU, 38 s Kata-Firecracker (thesis, Fig. 5.1); ~1 minute per i2kit Pod on EC2 (paper) | until all running | Pod VMs $(per_n 2 " s"); worker VM from QEMU's start $(per_n 4 " s"), its containers alone $(per_n 5 " s"); runc on the host $(per_n 6 " s") | until every one answers HTTP |
| throughput per Pod | i2kit 129.86 / 128.19 / 128.58 Mbps for 1 / 5 / 25 Pods; Kubernetes, 1 worker: 129.17 / 25.92 Mbps for 1 / 5 (paper, Table I(b)) | bulk transfer to each Pod, each i2kit Pod its own VM and NIC | requests per Pod: Pod VMs $(per_n 11 /s "${net[@]}"); worker VM $(per_n 13 /s "${net[@]}"); runc on the host $(per_n 15 /s "${net[@]}") | wrk, $net_seconds s, through one local balancer on the same 2 cores |
| CPU, in a VM ÷ on the host | the thesis ran stress-ng for 60 s (its figure is not among the ones quoted here) | stress-ng cpu stressor | **$(ratio "$vm_cpu" "$host_cpu")** per host CPU second ($vm_cpu against $host_cpu bogo ops); by wall clock $(ratio "$vm_real" "$host_real") ($vm_real against $host_real bogo ops/s, both shared with the machine's other work) | \`stress-ng --cpu 1 --timeout ${cpu_seconds}s\` on the host (its usr+sys rate) and via \`i2kit-host exec\` in a Pod VM (its bogo ops ÷ QEMU's CPU time meanwhile) |

**Where i2kit loses here.** Memory: a Pod VM costs the host $vm_each MiB (N=$last) where the
shared worker adds $worker_each MiB per Pod once its $worker_base MiB are paid, so $crossover.
The paper's crossover lies between 20 and 30 Pods; a runc container on the host costs next to
nothing. The Pod VM's cost is mostly its guest RAM once touched and TCG's 32 MiB translation
cache; free page reporting (virtio-balloon) and KVM (no translation cache at all) are what
would shrink it — the paper's 78 MB per Pod on EC2 is the same trade at a larger scale. CPU:
under TCG every guest instruction is translated, so stress-ng in a Pod VM runs at the ratio
above; with KVM the guest runs natively and the ratio comes close to 1. Start time
under TCG is CPU-bound (runc's Go binary is translated too), so N Pod VMs take about N/2 boots
on 2 cores; with KVM a boot is several times faster. Throughput here is bounded by the two
cores that also run wrk, the balancer and QEMU's user-mode network (slirp) rather than by a
NIC, so it does not reproduce the paper's per-VM NIC bandwidth; a tap device with vhost-net
under KVM would.
EOF
} >"$work/section.md"
# The few figures the README quotes, from this run.
cat >"$work/readme.md" <<EOF
Measured by \`scripts/evaluate.sh$flag\` on $(date -u +%Y-%m-%d) ($(nproc) cores, accelerator $accel, load
average ${load_before%% *}; [all figures and how](docs/benchmarks.md#the-i2kit-papers-table-i-and-the-runtimes-thesis-reproduced)):
$last Pod VMs serve in $(col "$last" 2) s and cost the host $(col "$last" 17) MiB each (QEMU's PSS, of which the
guest uses $(col "$last" 10) MiB; the paper's i2kit Pod on EC2: 78 MB). One Debian worker VM running the
$last containers costs $(col "$last" 18) MiB per container ($worker_base MiB base + $worker_each MiB each):
$crossover. stress-ng runs in a Pod VM at
$(ratio "$vm_cpu" "$host_cpu") times the host's speed per CPU second under TCG (close to 1 with KVM).
EOF
if $write_doc; then
  benchmark_doc_write evaluate.sh "$repo/docs/benchmarks.md" <"$work/section.md"
  benchmark_doc_write evaluate.sh "$repo/README.md" <"$work/readme.md"
  progress "wrote docs/benchmarks.md (sections benchmark-replicas.sh and evaluate.sh), docs/*.png and README.md's figures"
else
  cat "$work/replicas.md" "$work/section.md" >"$out/evaluation.md"
  progress "wrote $out/evaluation.md"
fi
cat "$work/replicas.md" "$work/section.md" "$work/readme.md"
progress "done in $elapsed s"
