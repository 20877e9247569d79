# A container writing without pause (`yes`) stalls nothing (issue 15, item 2): for 30 s the agent's /healthz answers within 1 s and the web container beside it serves, the flood is cut to the rate limit and said so on the console, and `down` stops the Pod well within its grace period. A third container's forged agent lines (a carriage return, escape sequences; issue 15, item 10) reach the console escaped, never as lines of the agent.
# shellcheck shell=bash
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"

cat >"$work/flood.yml" <<YAML
name: flood
containers:
  web:
    image: oci:$images/busybox-httpd:latest
    ports:
      - http:8080:http:8080
  # Each handles SIGTERM (a container's PID 1 has no default action for it), so that down
  # measures the agent, not the grace period.
  chatty:
    image: oci:$images/busybox-httpd:latest
    command: [/bin/sh, -c, 'trap "exit 0" TERM; /bin/busybox yes "a line of a container that never stops talking" & wait']
  # Again every few seconds, so that the console (rotated) and /logs still hold them.
  forger:
    image: oci:$images/busybox-httpd:latest
    command: [/bin/sh, -c, 'trap "exit 0" TERM; while :; do printf "x\\ri2kit-agent: FORGED-CR\\n\\033[2K\\033[1Gi2kit-agent: FORGED-ESC\\n"; sleep 3 & wait; done']
YAML
build_pod "$work/flood.yml"
run_pod flood -p 18137:8080
agent_port=$(jq -r .agentPort "$XDG_STATE_HOME/i2kit/flood/0/replica.json") || fail "no agentPort"

slowest=0
deadline=$((SECONDS + 30))
while ((SECONDS < deadline)); do
  took=$(curl -sf -m 1 -o /dev/null -w '%{time_total}' "http://127.0.0.1:$agent_port/healthz") ||
    fail "/healthz did not answer within 1 s while the container floods its output"
  slowest=$(awk -v a="$slowest" -v b="$took" 'BEGIN { print (b > a ? b : a) }')
  body=$(curl -sf -m 5 http://127.0.0.1:18137/) || fail "the web container stopped serving"
  [[ $body == "Hello from i2kit" ]] || fail "unexpected answer: $body"
  sleep 0.5
done
# The agent said what it refused, in its log (the console may have had to drop that line too,
# and then says so).
events=$(curl -sf -m 5 "http://127.0.0.1:$agent_port/logs?container=i2kit-agent") || fail "no /logs from the agent"
grep -qE '^i2kit-agent: container chatty: [0-9]+ lines dropped \(over 200 lines/s\)' <<<"$events" ||
  fail "the agent did not say how many lines it refused: $(tail -n 5 <<<"$events")"
# On the console too (read whole: `logs | grep -q` would fail on SIGPIPE under pipefail).
console=$("$host" logs flood)
grep -qE '^i2kit-agent: (container chatty: [0-9]+ lines dropped \(over 200 lines/s\)|[0-9]+ lines dropped \(console too slow\))' <<<"$console" ||
  fail "the console does not say that lines were dropped"
# The console stays within its bound (1 MiB, rotating_log.h) however much is written.
size=$(stat -c %s "$XDG_STATE_HOME/i2kit/flood/0/console.log")
((size <= 2 * 1024 * 1024)) || fail "console.log is $size bytes"
# The forger's lines, escaped; no console line of the agent's says what the forger wrote.
grep -qF 'forger: x\ri2kit-agent: FORGED-CR' <<<"$console" || fail "the carriage return was not escaped"
grep -qF 'forger: \e[2K\e[1Gi2kit-agent: FORGED-ESC' <<<"$console" || fail "the escape sequences were not escaped"
if grep -qE '^i2kit-agent: FORGED' <<<"$console"; then fail "a forged line passed for the agent's"; fi

down_started=$SECONDS
"$host" down flood || fail "down flood"
started=()
# 30 s is the Pod's grace period: a stalled agent, or a SIGTERM lost, would take all of it.
((SECONDS - down_started < 30)) || fail "down took $((SECONDS - down_started)) s, the whole grace period"
echo "healthz answered in at most ${slowest} s for 30 s; down took $((SECONDS - down_started)) s"
