#!/usr/bin/env bash
# The README's main command: installs the dependencies, builds i2kit (and, once, the kernel),
# builds the example image with no Docker, builds its Pod VM from examples/hello.yml and boots
# it under QEMU, serving on http://127.0.0.1:${PORT:-8080}. The VM keeps running; stop it with
# `build/bin/i2kit-host down hello`.
set -euo pipefail
cd "$(dirname "$0")/.."
port=${PORT:-8080}
# A line before each step, so that a log or a pipe shows what the minutes go to.
step() { printf 'run-example: %s\n' "$*" >&2; }
step "installing what is missing of the dependencies"
scripts/install-deps.sh
step "building i2kit (minutes the first time)"
cmake -S . -B build -G Ninja >/dev/null
cmake --build build --target i2kit-host i2kit-agent i2kit-ec2-reporter
step "building the example image, with no Docker"
examples/build-images.sh build/examples/images
build/bin/i2kit-host validate examples/hello.yml
step "building the Pod VM (the kernel once, ~4 min; then cached)"
build/bin/i2kit-host build examples/hello.yml
build/bin/i2kit-host down hello >/dev/null 2>&1 || true  # a previous run's VM
step "booting it"
build/bin/i2kit-host run examples/hello.yml -d -p "$port:8080"
echo
echo "curl http://127.0.0.1:$port/  →  $(curl -s -m 5 --retry 10 --retry-delay 1 --retry-all-errors "http://127.0.0.1:$port/")"
echo "Pod VM 'hello' is running: build/bin/i2kit-host ps | logs hello | down hello"
