#!/usr/bin/env bash
# Installs every Debian 12 package i2kit needs to build and test. Idempotent: packages already
# installed are left alone, and apt is not even consulted when nothing is missing.
# Lists live beside what uses them: this file (build and unit tests), and one deps.txt per
# part that needs more (examples/deps.txt, image-builder/deps.txt, …, scripts/kernel-deps.txt).
# Usage: scripts/install-deps.sh [EXTRA_LIST...]
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(
  # Build
  build-essential cmake ninja-build pkg-config ccache
  # Libraries (all Debian packages; see the README for why each)
  libyaml-cpp-dev libspdlog-dev nlohmann-json3-dev libcli11-dev libcap-ng-dev
  # Tests: GoogleTest, clang with its runtime for libFuzzer and the sanitizers, clang-format
  libgtest-dev libgmock-dev clang libclang-rt-dev clang-format
)
# Extra lists given as arguments (the benchmarks' scripts/benchmark-deps.txt) come on top.
for list in */deps.txt scripts/kernel-deps.txt "$@"; do
  [[ -f "$list" ]] && mapfile -t -O "${#packages[@]}" packages < <(grep -v '^\s*\(#\|$\)' "$list")
done

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]} == 0)); then
  echo "install-deps: all ${#packages[@]} packages present"
  exit 0
fi
sudo=""
if ((EUID != 0)); then sudo="sudo"; fi
echo "install-deps: installing ${missing[*]}"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "install-deps: done"
