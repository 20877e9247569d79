#!/usr/bin/env bash
# The README's test command, and all that CI runs (.ci/run): installs the dependencies, checks the
# C++ files' format (scripts/check-format.sh), builds with warnings as errors, runs the unit
# tests, runs them again under ASan+UBSan, fuzzes the parsers for FUZZ_SECONDS each, and boots
# the VM tests in qemu-tests/ when they exist. Prints each stage's wall time and the total.
#
# The VM tests spend much of their time waiting (TCG boots of one vCPU, grace periods, back-off
# timers, rollouts), so they run VM_TEST_JOBS (default 2) at a time, and everything they do not
# need — the unit tests' build, the ASan+UBSan tree, the fuzz targets — compiles meanwhile at
# the lowest priority (nice 19), soaking up idle CPU without slowing the VMs. The fuzzing and
# the unit tests run after, on an otherwise idle machine, so they get their full time.
set -euo pipefail
cd "$(dirname "$0")/.."

started=$SECONDS stage_name="" stage_started=0 times=()
end_stage() {
  [[ -n $stage_name ]] || return 0
  local took=$((SECONDS - stage_started))
  printf '<== %s: %d s\n' "$stage_name" "$took"
  times+=("$(printf '%6d s  %s' "$took" "$stage_name")")
  stage_name=""
}
stage() {
  end_stage
  stage_name=$*
  stage_started=$SECONDS
  printf '\n==> %s\n' "$*"
}
summary() {
  local status=$1
  end_stage
  printf '\nwall time per stage:\n'
  printf '%s\n' "${times[@]}"
  printf '%6d s  total%s\n' "$((SECONDS - started))" "$( ((status == 0)) || echo " (failed)")"
}
trap 'summary $?' EXIT

stage "dependencies"
scripts/install-deps.sh

stage "C++ format (.clang-format)"
scripts/check-format.sh

# Through ccache: where ~/.cache outlives a run (as the kernel's cache does), an unchanged file
# compiles from it, its warnings included; a failed compile is never cached. Paths are hashed
# relative to the checkout, so that a fresh clone elsewhere finds the same entries.
export CMAKE_C_COMPILER_LAUNCHER=${CMAKE_C_COMPILER_LAUNCHER:-ccache}
export CMAKE_CXX_COMPILER_LAUNCHER=${CMAKE_CXX_COMPILER_LAUNCHER:-ccache}
export CCACHE_BASEDIR=${CCACHE_BASEDIR:-$PWD} CCACHE_NOHASHDIR=${CCACHE_NOHASHDIR:-1}

stage "build what the VM tests need (warnings are errors)"
# The default build type's code (RelWithDebInfo's -O2) without its debug information, which
# nothing here reads: -g was a third of each compile's CPU and most of what each link writes
# (common_tests from nothing: 154 s of CPU and 234 MB with it, 113 s and 16 MB without).
cmake -S . -B build -G Ninja -DI2KIT_WERROR=ON -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_CXX_FLAGS_RELEASE="-O2 -DNDEBUG" >/dev/null
cmake --build build --target i2kit-host i2kit-agent i2kit-ec2-reporter

# The rest, at nice 19 in the background: each step's time goes to its log, shown when joined.
background_log=build/background-builds.log
# Only the test executables (i2kit_tests: every suite; the programs the VMs run are not tested
# here), with line tables only (-g1): all that the sanitizers' reports print.
asan_build() {
  cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS_DEBUG=-g1 \
    -DI2KIT_WERROR=ON -DI2KIT_SANITIZE=ON >/dev/null
  cmake --build build-asan --target i2kit_tests
}
background_builds() {
  renice -n 19 -p "$BASHPID" >/dev/null
  # As many compiles as cores, not ninja's cores + 2: less memory beside the VMs.
  CMAKE_BUILD_PARALLEL_LEVEL=$(nproc)
  export CMAKE_BUILD_PARALLEL_LEVEL
  local step_started
  step() {
    step_started=$SECONDS
    echo "==> $1"
    "${@:2}" || return
    printf '<== %s: %d s\n' "$1" "$((SECONDS - step_started))"
  }
  step "the rest of the build (unit tests; warnings are errors)" cmake --build build &&
    step "the ASan+UBSan build" asan_build &&
    step "the fuzz targets' build" scripts/fuzz.sh build
}
# Joins the background builds: their step times, or their whole log when they failed.
join_background() {
  local status=0
  wait "$background" || status=$?
  if ((status == 0)); then
    grep '^<== ' "$background_log" | sed 's/^<== /    in the background: /'
  else
    cat "$background_log"
    echo "the background builds failed (exit $status)" >&2
    exit 1
  fi
}

# In a process group of its own (set -m), so that a failing run stops all of it.
set -m
background_builds >"$background_log" 2>&1 &
background=$!
set +m
trap 'status=$?; kill -- "-$background" 2>/dev/null || true; summary "$status"' EXIT

stage "the Pod VM kernel (built once, ~5 min, then cached)"
scripts/build-kernel.sh >/dev/null

if [[ -x qemu-tests/run.sh ]]; then
  stage "VM tests (qemu-tests/), ${VM_TEST_JOBS:=2} at a time, builds in the background"
  # Every test in qemu-tests/, the longest first (~100 s each under load, the rest under 50 s)
  # so that the last to start are short ones.
  vm_tests=()
  for t in kubernetes-app replicas rolling-update hostile-container console-flood service-discovery ec2-reporter; do
    if [[ -f qemu-tests/$t/test.sh ]]; then vm_tests+=("$t"); fi
  done
  for t in qemu-tests/*/test.sh; do
    t=${t#qemu-tests/} t=${t%/test.sh}
    [[ " ${vm_tests[*]} " == *" $t "* ]] || vm_tests+=("$t")
  done
  qemu-tests/run.sh -j "$VM_TEST_JOBS" "${vm_tests[@]}"
fi

stage "waiting for the background builds"
join_background

stage "unit tests under AddressSanitizer and UndefinedBehaviorSanitizer"
# Not aws_stand_in: Python, nothing of ours to sanitize (the unit tests' stage runs it).
ctest --test-dir build-asan --output-on-failure -j"$(nproc)" -E '^aws_stand_in$' >build-asan/ctest.log 2>&1 || {
  cat build-asan/ctest.log
  exit 1
}
tail -n 3 build-asan/ctest.log

stage "fuzzing the parsers for ${FUZZ_SECONDS:=60} s each"
FUZZ_SECONDS="$FUZZ_SECONDS" scripts/fuzz.sh

stage "unit tests"
ctest --test-dir build --output-on-failure -j"$(nproc)"
