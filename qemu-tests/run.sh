#!/usr/bin/env bash
# Runs every qemu-tests/*/test.sh (each boots real VMs), prints PASS or FAIL per test and
# "N passed, N failed"; exits non-zero if any failed. A failing test's own output is shown.
# Usage: qemu-tests/run.sh [name…]   (default: every test folder)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"

if (($#)); then
  names=("$@")
else
  names=()
  for t in */test.sh; do names+=("${t%/test.sh}"); done
fi

passed=0 failed=0
for name in "${names[@]}"; do
  output=$(mktemp)
  # bash explicitly: a test's first line is its summary comment, not a #! line.
  if bash "$name/test.sh" >"$output" 2>&1; then
    echo "PASS $name"
    passed=$((passed + 1))
  else
    echo "FAIL $name"
    sed 's/^/    /' "$output"
    failed=$((failed + 1))
  fi
  rm -f "$output"
done
echo "$passed passed, $failed failed"
((failed == 0))
