# A container that keeps exiting is restarted with Kubernetes' back-off: 10 s before the first restart, 20 s before the second, and the Pod is not ready while it waits.
# shellcheck shell=bash
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"

cat >"$work/crash.yml" <<YAML
name: crash
containers:
  crasher:
    image: oci:$images/crasher:latest
    # The crasher, saying when it starts by the guest's clock: polling the console from the
    # host would add its own delays to what is measured.
    command: [/bin/sh, -c, 'read up rest </proc/uptime; echo "crasher: started at \$up s"; sleep 1; exit 1']
YAML
build_pod "$work/crash.yml"
started+=(crash)
# The Pod never becomes ready, so run waits for the agent, not for readiness: boot detached
# and expect the readiness deadline to pass.
"$host" run "$work/out/crash" -d --accel "${I2KIT_TEST_ACCEL:-tcg}" --timeout 15 >/dev/null 2>&1 || true
wait_console crash 'container crasher exited code=1 restarts=1 backoff=10s' 60
wait_console crash 'container crasher started pid=[0-9]+ restarts=1' 30
starts() { "$host" logs crash | grep -oE 'crasher: started at [0-9.]+'; }
deadline=$((SECONDS + 30))
until (($(starts | wc -l) >= 2)); do
  ((SECONDS < deadline)) || fail "the crasher did not print its second start"
  sleep 1
done
# Two starts: the first ran 1 s, then 10 s of back-off.
waited=$(starts | head -n 2 |
  awk '{ t[NR] = $4 } END { printf "%.1f", t[2] - t[1] - 1 }')
awk -v w="$waited" 'BEGIN { exit !(w >= 9.5) }' || fail "restarted after ${waited} s, not after the 10 s back-off"
wait_console crash 'container crasher exited code=1 restarts=2 backoff=20s' 30
# While it waits, the agent says the Pod is not ready (readiness needs a running container).
"$host" logs crash | grep -A1 'restarts=1 backoff=10s' | grep 'pod not ready' >/dev/null ||
  fail "the Pod did not turn not-ready after its container exited"
echo "restarted after ${waited} s, then backed off 20 s"
