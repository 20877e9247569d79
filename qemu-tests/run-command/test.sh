# `i2kit-host run -d` boots a fake Pod VM to ready, publishes 127.0.0.1:18080, `ps` (its boot timeline too)/`logs` see it, `down` powers it off by the ACPI button and leaves no QEMU and no state.
# shellcheck shell=bash
# The VM: the cached Pod kernel and an initrd whose /init is a busybox shell script standing in
# for the agent (the kernel's ip= configures eth0): `busybox httpd` answers GET /readyz on the
# agent port 8089 and "hello" on 8080, and a power-button press (an event on /dev/input/event0)
# makes it power off. Two disks of different sizes check that disks attach in order (vda first).
# Also: a foreground run stopped by SIGINT, a busy host port and a second run refused.
# Env: I2KIT_HOST (default build/bin/i2kit-host), KERNEL (default: scripts/build-kernel.sh),
# KEEP=1 keeps the work dir. State goes to a private XDG_STATE_HOME; KVM verdicts stay cached.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
host=${I2KIT_HOST:-$repo/build/bin/i2kit-host}
log() { printf 'run-command: %s\n' "$*" >&2; }
fail() {
  log "FAIL: $*"
  exit 1
}

[[ -x "$host" ]] || fail "$host not built (cmake --build build --target i2kit-host, or set I2KIT_HOST)"
for tool in qemu-system-x86_64 busybox curl cpio gzip jq; do
  command -v "$tool" >/dev/null || fail "$tool missing (apt-get install qemu-system-x86 busybox-static curl cpio jq)"
done
kernel=${KERNEL:-$("$repo/scripts/build-kernel.sh")}

work=$(mktemp -d)
export XDG_STATE_HOME="$work/state"
cleanup() {
  # Whatever happened, no VM of this test survives it.
  "$host" down smoke >/dev/null 2>&1 || true
  pkill -KILL -f -- "$work/" 2>/dev/null || true
  if [[ "${KEEP:-0}" == 1 ]]; then log "kept $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT

art="$work/art"
root="$work/root"
mkdir -p "$art" "$root/bin" "$root/dev" "$root/proc" "$root/sys"
cp "$kernel" "$art/bzImage"
cp "$(command -v busybox)" "$root/bin/busybox"
cat >"$root/init" <<'INIT'
#!/bin/busybox sh
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
replica=$(sed -n 's/.*i2kit\.replica=\([0-9]*\).*/\1/p' /proc/cmdline)
echo "fake-agent: replica=$replica vda=$(cat /sys/block/vda/size) vdb=$(cat /sys/block/vdb/size)"
mkdir -p /www/agent /www/app
echo ready >/www/agent/readyz
echo hello >/www/app/index.html
# The power button's device is opened before the agent port answers: evdev keeps events only
# for a reader that has it open, and `run` presses the button as soon as it is asked to stop,
# which may be the moment it saw ready (the foreground case below).
button=
for ev in /dev/input/event*; do
  [ -e "$ev" ] && button=$ev && exec 3<"$ev" && break
done
httpd -p 8080 -h /www/app
httpd -p 8089 -h /www/agent
echo "fake-agent: serving"
if [ -n "$button" ]; then
  head -c 1 <&3 >/dev/null
  echo "fake-agent: power button pressed; powering off"
  poweroff -f
fi
echo "fake-agent: no input device for the power button"
while :; do sleep 3600; done
INIT
chmod 0755 "$root/init"
(cd "$root" && find . | cpio -o -H newc --quiet | gzip -1) >"$art/initrd.img"
truncate -s 1M "$art/first.img"
truncate -s 2M "$art/second.img"
cat >"$art/vm.json" <<'JSON'
{"deployment": "smoke", "replicas": 1, "kernel": "bzImage", "initrd": "initrd.img",
 "disks": ["first.img", "second.img"], "memoryMiB": 64, "cpus": 1,
 "cmdline": "console=ttyS0 panic=-1", "ports": [{"containerPort": 8080, "protocol": "TCP"}],
 "terminationGracePeriodSeconds": 5, "imageDigest": "sha256:test"}
JSON

# 1. Detached: returns once GET /readyz answers 200.
start=${EPOCHREALTIME/./}
"$host" run "$art" -d -p 18080:8080 >"$work/run.out" 2>"$work/run.err" ||
  fail "run -d failed: $(cat "$work/run.err")"
took=$(((${EPOCHREALTIME/./} - start) / 1000))
log "run -d returned after ${took} ms: $(grep -o 'ready in .*' "$work/run.err" | head -1)"
log "$(head -1 "$work/run.err")"
[[ "$(cat "$work/run.out")" == "smoke" ]] || fail "run -d printed '$(cat "$work/run.out")'"

body=$(curl -fsS --max-time 5 http://127.0.0.1:18080/) || fail "curl 127.0.0.1:18080 failed"
[[ "$body" == hello ]] || fail "127.0.0.1:18080 answered '$body'"

"$host" ps >"$work/ps.out"
grep -Eq '^smoke/0 +ready +- +- +- +- +[0-9]+ .*127\.0\.0\.1:18080->8080/tcp' "$work/ps.out" ||
  fail "ps: $(cat "$work/ps.out")"
pid=$("$host" ps -o json | grep -o '"pid": [0-9]*' | grep -o '[0-9]*$')
[[ -n "$pid" ]] || fail "ps -o json shows no pid"
# The host's side of the boot timeline (this stand-in agent reports no guest side): its
# readiness checks asked /readyz?wait=N, which busybox httpd answers as /readyz.
phases=$("$host" ps -o json | jq -r '.[0].timeline | map(.phase) | join(" ")')
[[ $phases == "qemu-started pod-ready-seen in-balancer" ]] || fail "boot timeline: $phases"

"$host" logs smoke >"$work/console.log"
grep -q 'fake-agent: replica=0 vda=2048 vdb=4096' "$work/console.log" ||
  fail "disks not in order or replica key missing: $(grep fake-agent "$work/console.log")"
grep -q 'i2kit.replica=0 ip=10.0.2.15::10.0.2.2' "$work/console.log" || fail "kernel command line lacks the replica and ip keys"

# 2. The same deployment again is an update to the same image: nothing to replace. A host port
# in use is refused.
"$host" run "$art" -d 2>"$work/again.err" || fail "a second run of smoke failed: $(cat "$work/again.err")"
[[ $("$host" ps -o json | grep -c '"name"') == 1 ]] || fail "the same image was rolled out again: $("$host" ps)"
sed 's/"smoke"/"other"/' "$art/vm.json" >"$work/vm.json" && mkdir -p "$work/other" &&
  cp "$work/vm.json" "$art"/{bzImage,initrd.img,first.img,second.img} "$work/other/"
if "$host" run "$work/other" -d -p 18080:8080 2>"$work/busy.err"; then fail "a busy host port was accepted"; fi
grep -q 'host port 18080 is not free.*EADDRINUSE' "$work/busy.err" || fail "busy port: $(cat "$work/busy.err")"

# 3. down: the power button, then nothing left.
"$host" down smoke 2>"$work/down.err" || fail "down failed: $(cat "$work/down.err")"
log "$(tail -1 "$work/down.err")"
grep -q 'smoke/0 stopped: powered off' "$work/down.err" || fail "the guest did not power off: $(cat "$work/down.err")"
if [[ -e /proc/$pid ]] && ! grep -q '^State:.*Z' "/proc/$pid/status" 2>/dev/null; then
  fail "QEMU pid $pid still running after down"
fi
# Warm-start snapshots outlive down by design (README, Running locally).
left() { find "$XDG_STATE_HOME/i2kit" -mindepth 1 -maxdepth 1 ! -name _snapshots -printf '%f\n'; }
[[ -z "$(left)" ]] || fail "state left behind: $(left)"

# 4. Foreground: streams the console; SIGINT stops the VM cleanly and exits 0.
"$host" run "$art" -p 18080:8080 >"$work/fg.out" 2>"$work/fg.err" &
fg=$!
# As long as `run -d` may take (its rollout deadline), or until the run ends on its own.
deadline=$((SECONDS + 300))
until grep -q 'smoke/0 ready in' "$work/fg.err"; do
  ((SECONDS < deadline)) && kill -0 "$fg" 2>/dev/null || break
  sleep 0.2
done
grep -q 'smoke/0 ready in' "$work/fg.err" || fail "foreground run not ready: $(cat "$work/fg.err")"
kill -INT "$fg"
status=0
wait "$fg" || status=$?
((status == 0)) || fail "foreground run exited $status after SIGINT: $(cat "$work/fg.err")"
grep -q 'fake-agent: power button pressed' "$work/fg.out" || fail "foreground console lacks the power-off"
grep -q 'smoke/0 stopped: powered off' "$work/fg.err" || fail "foreground stop: $(cat "$work/fg.err")"
[[ -z "$(left)" ]] || fail "state left behind by the foreground run"

if pgrep -f -- "$work/" >/dev/null; then fail "QEMU processes left: $(pgrep -af -- "$work/")"; fi
log "ok"
