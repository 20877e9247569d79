# Three replicas behind one published port: every replica answers, and a replica VM killed from outside is replaced by a fresh one while requests keep succeeding through the other two.
# shellcheck shell=bash
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"

port=18082
web_deployment web 3 </dev/null >"$work/web.yml"
build_pod "$work/web.yml"
run_pod web -p "$port:8080"
[[ $("$host" ps -o json | jq '[.[] | select(.state == "ready")] | length') == 3 ]] ||
  fail "not 3 ready replicas: $("$host" ps)"

# Every replica serves: each one's agent has logged requests of its own.
for _ in $(seq 30); do
  [[ $(curl -sf -m 5 "http://127.0.0.1:$port/") == "Hello from i2kit" ]] || fail "a request failed"
done
for replica in 0 1 2; do
  agent_port=$(jq -r .agentPort "$XDG_STATE_HOME/i2kit/web/$replica/replica.json")
  served=$(curl -sf -m 5 "http://127.0.0.1:$agent_port/logs?container=web" | grep -c 'response:200' || true)
  ((served >= 5)) || fail "web/$replica served $served of 30 requests: not balanced"
done

# Kill one VM (QEMU itself, as a crash would) under a steady request loop.
rm -f "$work/stop"
request_loop "$port" >"$work/loop" &
loop_pid=$!
sleep 3
kill -9 "$(jq -r .pid "$XDG_STATE_HOME/i2kit/web/1/replica.json")"
deadline=$((SECONDS + 90))
until "$host" ps -o json | jq -e '[.[] | select(.state == "ready") | .name] | length == 3 and index("web/3") != null' >/dev/null; do
  ((SECONDS < deadline)) || fail "web/1 was not replaced by a ready web/3 within 90 s: $("$host" ps)"
  sleep 1
done
sleep 3  # requests keep flowing through all three
touch "$work/stop"
wait "$loop_pid"
read -r ok failed <"$work/loop"
# The one request that may be lost is the one in flight inside the VM when it died.
((failed <= 1)) || fail "$failed of $((ok + failed)) requests failed after a replica died"
states=$("$host" ps -o json)
[[ $(jq '[.[] | select(.state == "ready")] | length' <<<"$states") == 3 ]] || fail "not 3 ready replicas after the kill: $("$host" ps)"
jq -e '[.[].name] | index("web/1") | not' <<<"$states" >/dev/null || fail "web/1 is still listed"
jq -e '[.[].name] | index("web/3")' <<<"$states" >/dev/null || fail "no web/3 replaced web/1"
echo "3 replicas served; web/1 killed and replaced by web/3; $ok requests succeeded, $failed failed"
