#!/usr/bin/env bash
# The README's main command: installs the dependencies, builds i2kit-host, and runs it on the
# examples. Until Pod VMs can be built (issue 3) the main job is `validate`: it prints the
# normalized model of the paper's Fig. 5 manifest and checks the other examples.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
cmake -S . -B build -G Ninja >/dev/null
cmake --build build --target i2kit-host
build/bin/i2kit-host validate examples/paper-fig2-deployment.yml examples/web-with-service.yml
build/bin/i2kit-host validate --output json examples/paper-fig5-i2kit.yml
