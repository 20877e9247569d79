# The example Pod VM (examples/hello.yml) has kernel + initrd within 8 MiB, boots under QEMU, serves "Hello from i2kit" on a published port, keeps the container's output for the host (GET /logs on the agent), reports its boot timeline (every phase, on both clocks; in the balancer within 1 s of its readiness), and `down` stops it within the grace period (its container handles SIGTERM) with no VM left.
# shellcheck shell=bash
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"

build_pod "$repo/examples/hello.yml"
# What every Pod VM carries besides its app (the agent, runc and its libraries, the kernel):
# kernel + initrd within 8 MiB (docs/benchmarks.md). The app is on its own EROFS disk.
boot_bytes=$(($(stat -c %s "$work/out/hello/bzImage") + $(stat -c %s "$work/out/hello/initrd.img")))
((boot_bytes <= 8 << 20)) || fail "kernel + initrd are $boot_bytes bytes, over 8 MiB ($((8 << 20)))"
run_pod hello -p 18081:8080
# Without a readiness probe the Pod is ready once its container runs; httpd may need a moment.
body=$(curl -sf -m 5 --retry 10 --retry-delay 1 --retry-all-errors http://127.0.0.1:18081/) ||
  fail "no answer on 127.0.0.1:18081"
[[ "$body" == "Hello from i2kit" ]] || fail "unexpected answer: $body"
"$host" ps | grep -E '^hello/0 +ready' >/dev/null || fail "ps does not show hello/0 ready"
# Its boot timeline: every phase, the guest's in the order they end, and the replica in the
# balancer at once after its Pod was ready (the controller's check waits in the agent).
timeline=$("$host" ps -o json hello | jq -c '.[0].timeline')
guest_phases=$(jq -r 'map(select(.guest != null) | .phase) | join(" ")' <<<"$timeline")
[[ $guest_phases == "kernel-started init boot-identity agent-ready container-runc:web container-started:web container-ready:web pod-ready" ]] ||
  fail "the guest's boot marks: $guest_phases"
host_phases=$(jq -r 'map(select(.hostFromGuest | not) | .phase) | join(" ")' <<<"$timeline")
[[ $host_phases == "qemu-started pod-ready-seen in-balancer" ]] || fail "the host's boot marks: $host_phases"
ready_to_balancer=$(jq '(map(select(.phase == "in-balancer"))[0].sinceStart) - (map(select(.phase == "pod-ready"))[0].sinceStart)' <<<"$timeline")
jq -en "$ready_to_balancer < 1" >/dev/null || fail "in the balancer $ready_to_balancer s after the Pod was ready"
"$host" logs --timeline hello/0 >"$work/timeline.txt" || fail "logs --timeline"
grep -Eq '^in-balancer +[0-9.]+ +\+[0-9.]+ +-$' "$work/timeline.txt" || fail "logs --timeline: $(cat "$work/timeline.txt")"
# httpd logs each request on stderr; the agent keeps those lines for the host to fetch.
agent_port=$(jq -r .agentPort "$XDG_STATE_HOME/i2kit/hello/0/replica.json") || fail "no agentPort"
logs=$(curl -sf -m 5 "http://127.0.0.1:$agent_port/logs?container=web") || fail "no /logs from the agent"
grep -q '^web/stderr: .*response:200' <<<"$logs" || fail "the request is not in the agent's logs: $logs"
down_started=$SECONDS
"$host" down hello || fail "down hello"
started=()
# 30 s is the Pod's grace period: a SIGTERM that did not reach the container would take all of it.
((SECONDS - down_started < 30)) || fail "down took $((SECONDS - down_started)) s, the whole grace period"
if pgrep -f "qemu-system.*$work" >/dev/null; then fail "a QEMU process is left"; fi
echo "kernel + initrd $boot_bytes bytes; served, stopped cleanly in $((SECONDS - down_started)) s"
echo "boot timeline (in the balancer ${ready_to_balancer} s after the Pod was ready):"
cat "$work/timeline.txt"
