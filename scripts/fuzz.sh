#!/usr/bin/env bash
# Builds the libFuzzer targets with clang and runs each for FUZZ_SECONDS (default 30) from its
# seed corpus, all at once when there are cores enough (one core each: each target still gets
# FUZZ_SECONDS of a whole core). Inputs must finish within 2 s each and 1 GiB in all; a crash
# fails the run and leaves its input in build-fuzz/findings/ to turn into a test.
# Usage: scripts/fuzz.sh [build]   (build: only build the targets)
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${FUZZ_SECONDS:-30}"
cmake -S . -B build-fuzz -G Ninja -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DI2KIT_FUZZ=ON -DI2KIT_TESTS=OFF >/dev/null
cmake --build build-fuzz --target manifest_reader_fuzz aws_response_fuzz
[[ ${1:-} != build ]] || exit 0
mkdir -p build-fuzz/findings
# target → its seed corpus in tests/fuzz/corpus/. New inputs go to a scratch corpus so the
# seeds in the repository stay as committed.
pairs=(manifest_reader_fuzz:manifest aws_response_fuzz:aws-response)
fuzz() {
  local target="${1%%:*}" corpus="${1#*:}" status=0
  mkdir -p "build-fuzz/corpus/$corpus"
  "build-fuzz/tests/fuzz/$target" "build-fuzz/corpus/$corpus" "tests/fuzz/corpus/$corpus" \
    -max_total_time="$seconds" -timeout=2 -rss_limit_mb=1024 -max_len=65536 \
    -artifact_prefix=build-fuzz/findings/ -print_final_stats=1 >"build-fuzz/$target.log" 2>&1 || status=$?
  echo "$status" >"build-fuzz/$target.status"
}
# Each target's log is shown after: its last lines, or all of it when it found a crash.
pids=()
for pair in "${pairs[@]}"; do
  if (($(nproc) >= ${#pairs[@]})); then
    fuzz "$pair" &
    pids+=($!)
  else
    fuzz "$pair" || true
  fi
done
for pid in "${pids[@]}"; do wait "$pid" || true; done
failed=0
for pair in "${pairs[@]}"; do
  target="${pair%%:*}"
  echo "--- $target"
  if [[ $(cat "build-fuzz/$target.status") == 0 ]]; then
    tail -n 15 "build-fuzz/$target.log"
  else
    cat "build-fuzz/$target.log"
    failed=1
  fi
done
exit "$failed"
