#!/usr/bin/env bash
# What hostile manifests cost `i2kit-host validate`: each input below must be refused quickly and
# in little memory, never crash or hang it. Measures the wall time and peak memory of one
# `validate` per input with /usr/bin/time, and prints docs/benchmarks.md's section; --doc also
# writes it there. A benchmark, not a test: it asserts nothing (tests/common/hostile_input_test.cpp
# checks the refusals), it reports.
#
# Usage: scripts/benchmark-validate.sh [--doc]   Needs a build (scripts/test.sh or cmake --build
# build). Env: I2KIT_BUILD_DIR (default build).
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
source "$repo/scripts/benchmark-doc.sh"
write_doc=false
[[ ${1:-} == --doc ]] && { write_doc=true; shift; }
build_dir=${I2KIT_BUILD_DIR:-$repo/build}
host="$build_dir/bin/i2kit-host"
[[ -x "$host" ]] || { echo "benchmark: build i2kit first ($host)" >&2; exit 1; }
[[ -x /usr/bin/time ]] || apt-get install -y -qq time >/dev/null

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# repeat TEXT N: TEXT N times, no newline.
repeat() { awk -v t="$1" -v n="$2" 'BEGIN { for (i = 0; i < n; i++) printf "%s", t }'; }
repeat '[' 100000 >"$work/flow-nesting.yml"
repeat '{a: ' 100000 >"$work/mapping-nesting.yml"
{ # "billion laughs": nine levels of nine aliases each, 9^9 leaves if anything expanded them
  echo 'a0: &a0 ["lol"]'
  for ((i = 1; i <= 9; i++)); do
    printf 'a%d: &a%d [' "$i" "$i"
    for ((j = 0; j < 9; j++)); do printf '*a%d%s' $((i - 1)) "$([[ $j -lt 8 ]] && echo ', ')"; done
    echo ']'
  done
} >"$work/alias-bomb.yml"
{ echo 'name: big'; repeat '# padding padding padding padding padding padding padding padding\n' 80000; } \
  >"$work/over-4-mib.yml"

# measure LABEL FILE: one table row, the time, peak memory and exit status of validating FILE.
measure() {
  /usr/bin/time -f '%e %M %x' -o "$work/time" "$host" validate "$2" >/dev/null 2>&1 || true
  read -r seconds kib status < <(tail -1 "$work/time")
  printf '| %s | %s s | %s MiB | %s |\n' "$1" "$seconds" "$(awk -v k="$kib" 'BEGIN { printf "%.0f", k / 1024 }')" "$status"
}

{
  benchmark_doc_header scripts/benchmark-validate.sh
  echo "One \`i2kit-host validate\` per input, timed by /usr/bin/time (exit 1: refused, as each must be)."
  echo
  echo "| input | wall time | peak memory | exit |"
  echo "|---|---|---|---|"
  measure "100 000-deep flow nesting (\`[[[…\`)" "$work/flow-nesting.yml"
  measure "100 000 nested \`{a: \`" "$work/mapping-nesting.yml"
  measure "\"billion laughs\" alias bomb (9 levels of 9)" "$work/alias-bomb.yml"
  measure "a file over the 4 MiB limit ($(($(stat -c %s "$work/over-4-mib.yml") / 1048576)) MiB)" "$work/over-4-mib.yml"
  measure "\`/dev/zero\`" /dev/zero
} >"$work/section.md"
cat "$work/section.md"
! $write_doc || benchmark_doc_write benchmark-validate.sh "$repo/docs/benchmarks.md" <"$work/section.md"
