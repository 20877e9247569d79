# shellcheck shell=bash
# Shared by the Pod VM tests: where things are, building the example images and a Pod VM, and
# stopping every VM a test started however it ends. Each test sources this file.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build_dir=${I2KIT_BUILD_DIR:-$repo/build}
host="$build_dir/bin/i2kit-host"
agent="$build_dir/bin/i2kit-agent"
work=$(mktemp -d)
# Each test gets its own state directory, so its VMs and `ps` output are its own. The host ports
# a test publishes are its own too, so that tests can run at once (run.sh -j): run-command 18080,
# serve-example 18081, replicas 18082, rolling-update 18083, disk-uefi-nvme 18091,
# disk-bios-virtio 18092, registry-images 18093 and 18094 (its registries; ec2-reporter runs in
# a network namespace of its own), stateful-volume 18095, ec2-volume 18096, warm-start 18097; a
# new test takes a new one. The agent ports `run` picks are free ones.
export XDG_STATE_HOME="$work/state"
started=()
# QEMU processes a test started itself (boot_disk), stopped however the test ends.
qemu_pids=()

fail() {
  echo "FAIL: $*" >&2
  for name in "${started[@]}"; do "$host" logs "$name" 2>/dev/null | tail -n 30 | sed 's/^/  console: /' >&2 || true; done
  exit 1
}

cleanup() {
  # Background request loops too: a test that failed never told them to stop.
  local loops
  loops=$(jobs -p)
  [[ -z $loops ]] || kill $loops 2>/dev/null || true
  for name in "${started[@]}"; do "$host" down "$name" >/dev/null 2>&1 || true; done
  for pid in "${qemu_pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${qemu_pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

[[ -x "$host" && -x "$agent" ]] || fail "build i2kit first: $host and $agent are missing"
images="$repo/build/examples/images"
# run.sh builds them once before its tests start, so that no test rewrites them while another
# test reads them.
[[ -n ${I2KIT_TEST_IMAGES_BUILT:-} ]] || "$repo/examples/build-images.sh" "$images" >/dev/null

# build_pod MANIFEST [build options…]: builds its Pod VMs into $work/out.
build_pod() {
  "$host" build "$1" -o "$work/out" --agent "$agent" "${@:2}" >"$work/build.log" 2>&1 || {
    cat "$work/build.log" >&2
    fail "i2kit-host build $1"
  }
}

# run_pod NAME [run options…]: boots NAME's VM (TCG: KVM does not work on these machines) and
# waits until its agent reports the Pod ready. The progress deadline is generous: a Pod of many
# containers under TCG on a loaded 2-core machine (two VM tests and builds at once) has taken
# over 120 s to be ready; a passing test never waits for it.
run_pod() {
  local name=$1
  shift
  started+=("$name")
  "$host" run "$work/out/$name" -d --accel "${I2KIT_TEST_ACCEL:-tcg}" --timeout 300 "$@" ||
    fail "i2kit-host run $name"
}

# wait_console NAME PATTERN SECONDS: waits until NAME's console shows PATTERN (grep -E).
wait_console() {
  local deadline=$((SECONDS + $3))
  # grep reads the whole console: with -q it would stop at the first match, `logs` would die of
  # SIGPIPE, and under pipefail a console long enough to outlast the match would never match.
  until "$host" logs "$1" 2>/dev/null | grep -E "$2" >/dev/null; do
    ((SECONDS < deadline)) || fail "$1: no console line matching '$2' within $3 s"
    sleep 1
  done
}

# web_deployment NAME REPLICAS [SPEC-LINES]: a Kubernetes Deployment of the busybox httpd example
# (port 8080, 5 s grace period). SPEC-LINES are added to its spec (e.g. progressDeadlineSeconds);
# the container's own extra lines come on stdin, indented as container fields.
web_deployment() {
  cat <<YAML
apiVersion: apps/v1
kind: Deployment
metadata: {name: $1}
spec:
  replicas: $2
${3:-}
  selector: {matchLabels: {app: $1}}
  template:
    metadata: {labels: {app: $1}}
    spec:
      terminationGracePeriodSeconds: 5
      containers:
        - name: web
          image: oci:$images/busybox-httpd:latest
          ports: [{containerPort: 8080}]
YAML
  cat
}

# request_loop PORT: a request to 127.0.0.1:PORT every 50 ms until $work/stop exists; then
# prints "SUCCEEDED FAILED". Run it in the background, `touch "$work/stop"`, wait for it.
request_loop() {
  local ok=0 failed=0
  while [[ -d $work && ! -e $work/stop ]]; do
    if curl -sf -m 3 -o /dev/null "http://127.0.0.1:$1/"; then ok=$((ok + 1)); else failed=$((failed + 1)); fi
    sleep 0.05
  done
  echo "$ok $failed"
}

# boot_disk NAME PORT [QEMU options…]: boots a bootable disk the way EC2 does, on the q35
# machine with firmware (microvm has none that boots a disk), under TCG, in the background;
# the console goes to $work/NAME.log. User networking (DHCP from QEMU) forwards 127.0.0.1:PORT
# to the guest's port 8080. The options add the firmware and the disk; $boot_net, when set, is
# added to the user network's options (its address range, guest forwarding rules).
boot_disk() {
  local name=$1 port=$2
  shift 2
  qemu-system-x86_64 -M q35 -accel tcg,tb-size=64 -cpu max -m 128 -nodefaults -no-user-config \
    -nographic -serial "file:$work/$name.log" -monitor none -no-reboot \
    -netdev "user,id=n0,hostfwd=tcp:127.0.0.1:$port-:8080${boot_net:+,$boot_net}" \
    -device virtio-net-pci,netdev=n0 \
    -device virtio-rng-pci "$@" </dev/null >"$work/$name.qemu.log" 2>&1 &
  qemu_pids+=($!)
}

# wait_http NAME PORT SECONDS: waits until http://127.0.0.1:PORT/ answers 200 and prints the
# body; fails with NAME's last console lines when it does not within SECONDS or the last QEMU
# boot_disk started exits first.
wait_http() {
  local deadline=$((SECONDS + $3)) body
  until body=$(curl -sf -m 3 "http://127.0.0.1:$2/" 2>/dev/null); do
    # A guest that powered off (a fatal error at boot) fails the test at once, not at the end.
    if ((SECONDS >= deadline)) || ! kill -0 "${qemu_pids[-1]}" 2>/dev/null; then
      tail -n 40 "$work/$1.log" "$work/$1.qemu.log" 2>/dev/null | sed 's/^/  console: /' >&2
      fail "$1: no HTTP 200 on 127.0.0.1:$2 (QEMU still running: $(kill -0 "${qemu_pids[-1]}" 2>/dev/null && echo yes || echo no), $3 s allowed)"
    fi
    sleep 1
  done
  printf '%s\n' "$body"
}

# oci_image NAME ROOTFS CONFIG: an OCI image layout $work/images/NAME, tag latest, whose one
# uncompressed layer is the directory ROOTFS (owned by root) and whose config is CONFIG.
oci_image() {
  local layout=$work/images/$1 layer config manifest
  mkdir -p "$layout/blobs/sha256"
  tar -C "$2" --sort=name --numeric-owner --owner=0 --group=0 -cf "$work/$1.layer.tar" .
  blob() {
    local digest
    digest=$(sha256sum "$1" | cut -d' ' -f1)
    cp "$1" "$layout/blobs/sha256/$digest"
    jq -n -c --arg d "sha256:$digest" --argjson s "$(stat -c %s "$1")" --arg t "$2" \
      '{mediaType: $t, digest: $d, size: $s}'
  }
  layer=$(blob "$work/$1.layer.tar" application/vnd.oci.image.layer.v1.tar)
  jq -n -c --argjson c "$3" --arg diff "$(jq -r .digest <<<"$layer")" \
    '{architecture: "amd64", os: "linux", config: $c, rootfs: {type: "layers", diff_ids: [$diff]}}' \
    >"$work/$1.config.json"
  config=$(blob "$work/$1.config.json" application/vnd.oci.image.config.v1+json)
  jq -n -c --argjson c "$config" --argjson l "$layer" \
    '{schemaVersion: 2, mediaType: "application/vnd.oci.image.manifest.v1+json", config: $c, layers: [$l]}' \
    >"$work/$1.manifest.json"
  manifest=$(blob "$work/$1.manifest.json" application/vnd.oci.image.manifest.v1+json)
  echo '{"imageLayoutVersion":"1.0.0"}' >"$layout/oci-layout"
  jq -n -c --argjson m "$manifest" \
    '{schemaVersion: 2, manifests: [$m + {annotations: {"org.opencontainers.image.ref.name": "latest"}}]}' \
    >"$layout/index.json"
}

# busybox_root DIR: a root filesystem of Debian's static busybox with every applet in DIR/bin,
# and a /tmp anyone may write: the base of the tests' own images.
busybox=$(dpkg-query -L busybox-static 2>/dev/null | grep -m1 -E '^(/usr)?/bin/busybox$') || busybox=""
busybox_root() {
  [[ -n $busybox ]] || fail "busybox-static is not installed"
  mkdir -p "$1"/{bin,tmp}
  chmod 1777 "$1/tmp"
  install -m 0755 "$busybox" "$1/bin/busybox"
  local applet
  for applet in $("$busybox" --list); do
    [[ $applet == busybox ]] || ln -sf busybox "$1/bin/$applet"
  done
}

# rows_db_manifest FILE: a stateful Pod "db" with a 16 MiB volume "data" at /data. Each start
# appends a row to the volume and commits it (sync, as a database fsyncs a commit: a write
# still in the guest's page cache dies with its VM), then serves the volume on port 8080
# (busybox httpd, as nobody: the short format gives a volume's root to its container's user).
rows_db_manifest() {
  cat >"$1" <<YAML
name: db
containers:
  db:
    image: oci:$images/busybox-httpd:latest
    command: [/bin/sh, -c, 'trap "exit 0" TERM; echo "row \$(cat /proc/sys/kernel/random/uuid)" >>/data/rows && sync; /bin/busybox httpd -f -p 8080 -h /data & wait']
    ports: [8080]
    volumes: ['data:16Mi:/data']
YAML
}

# wait_rows PORT N: waits until the rows_db_manifest Pod on host port PORT holds N rows and
# prints them.
wait_rows() {
  local deadline=$((SECONDS + 180)) got
  until got=$(curl -sf -m 5 "http://127.0.0.1:$1/rows") && [[ $(wc -l <<<"$got") == "$2" ]]; do
    ((SECONDS < deadline)) || fail "no $2 rows within 180 s (got: ${got:-nothing}): $("$host" ps)"
    sleep 1
  done
  printf '%s\n' "$got"
}
