#!/usr/bin/env bash
# Runs every qemu-tests/*/test.sh (each boots real VMs), prints PASS or FAIL per test with its
# wall time and "N passed, N failed"; exits non-zero if any failed. A failing test's own output
# is shown, whole, after its FAIL line.
# Usage: qemu-tests/run.sh [-j N] [name…]   (default: every test folder, one at a time)
# -j N runs N tests at once, in the order given (put the long ones first), reporting each as it
# ends. Tests are isolated from each other: each has its own work and state directories (lib.sh),
# its own fixed host ports (no two tests share one), and the example images are built once here,
# before any test starts, so no test rewrites them while another reads them.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"

jobs=1
if [[ ${1:-} == -j ]]; then
  jobs=$2
  shift 2
elif [[ ${1:-} == -j* ]]; then
  jobs=${1#-j}
  shift
fi
[[ $jobs =~ ^[1-9][0-9]*$ ]] || {
  echo "usage: qemu-tests/run.sh [-j N] [name…]" >&2
  exit 2
}

if (($#)); then
  names=("$@")
else
  names=()
  for t in */test.sh; do names+=("${t%/test.sh}"); done
fi
for name in "${names[@]}"; do
  [[ -f $name/test.sh ]] || {
    echo "qemu-tests/run.sh: no test named $name" >&2
    exit 2
  }
done

# The example images every lib.sh test uses, built once (lib.sh builds them only when run alone).
../examples/build-images.sh "$(cd .. && pwd)/build/examples/images" >/dev/null
export I2KIT_TEST_IMAGES_BUILT=1

results=$(mktemp -d)
running=() # pids of the tests under way
declare -A name_of started_at
trap 'for pid in "${running[@]}"; do kill -- "-$pid" 2>/dev/null || true; done; rm -rf "$results"' EXIT

passed=0 failed=0
# Reports the test that ran as PID and forgets it.
report() {
  local pid=$1 name=${name_of[$1]} status
  status=$(cat "$results/$pid.status")
  local took=$((SECONDS - started_at[$1]))
  if ((status == 0)); then
    echo "PASS $name (${took} s)"
    passed=$((passed + 1))
  else
    echo "FAIL $name (${took} s, exit $status)"
    sed 's/^/    /' "$results/$pid.out"
    failed=$((failed + 1))
  fi
  local kept=()
  for p in "${running[@]}"; do ((p == pid)) || kept+=("$p"); done
  running=("${kept[@]}")
}

# Waits until one running test has ended and reports it.
reap_one() {
  local pid
  while :; do
    for pid in "${running[@]}"; do
      if [[ -e $results/$pid.status ]]; then
        wait "$pid" 2>/dev/null || true
        report "$pid"
        return
      fi
    done
    wait -n 2>/dev/null || true
  done
}

for name in "${names[@]}"; do
  while ((${#running[@]} >= jobs)); do reap_one; done
  # Each test in its own process group (set -m), so that an interrupted run stops all of it.
  # bash explicitly: a test's first line is its summary comment, not a #! line.
  set -m
  (
    status=0 result=$results/$BASHPID
    bash "$name/test.sh" >"$result.out" 2>&1 </dev/null || status=$?
    echo "$status" >"$result.status"
  ) &
  set +m
  name_of[$!]=$name
  started_at[$!]=$SECONDS
  running+=("$!")
done
while ((${#running[@]})); do reap_one; done
echo "$passed passed, $failed failed"
((failed == 0))
