#!/usr/bin/env bash
# Builds the libFuzzer targets with clang and runs each for FUZZ_SECONDS (default 30) from its
# seed corpus. Inputs must finish within 2 s each and 1 GiB in all; a crash fails the run and
# leaves its input in build-fuzz/findings/ to turn into a test.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${FUZZ_SECONDS:-30}"
cmake -S . -B build-fuzz -G Ninja -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DI2KIT_FUZZ=ON -DI2KIT_TESTS=OFF >/dev/null
cmake --build build-fuzz --target manifest_reader_fuzz aws_response_fuzz
mkdir -p build-fuzz/findings
# target → its seed corpus in tests/fuzz/corpus/. New inputs go to a scratch corpus so the
# seeds in the repository stay as committed.
for pair in manifest_reader_fuzz:manifest aws_response_fuzz:aws-response; do
  target="${pair%%:*}" corpus="${pair#*:}"
  mkdir -p "build-fuzz/corpus/$corpus"
  "build-fuzz/tests/fuzz/$target" "build-fuzz/corpus/$corpus" "tests/fuzz/corpus/$corpus" \
    -max_total_time="$seconds" -timeout=2 -rss_limit_mb=1024 -max_len=65536 \
    -artifact_prefix=build-fuzz/findings/ -print_final_stats=1 2>&1 | tail -n 15
done
