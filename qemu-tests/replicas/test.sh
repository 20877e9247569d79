# Three replicas behind one published port: every replica answers; a replica VM killed from outside, hung, or whose Pod stays unready is replaced by a fresh one while requests keep succeeding through the other two; a dead controller's VMs are adopted.
# shellcheck shell=bash
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"

port=18082
# The example httpd serving from /tmp/www, ready while /tmp/www/ready.html exists; a request to
# /cgi-bin/sick removes it, so the replica that answers it stays unready from then on.
web_deployment web 3 >"$work/web.yml" <<'YAML'
          command: [/bin/sh, -c]
          args:
            - |
              trap "exit 0" TERM
              mkdir -p /tmp/www/cgi-bin
              cp /www/index.html /tmp/www/
              echo ready >/tmp/www/ready.html
              printf '#!/bin/sh\nrm -f /tmp/www/ready.html\nprintf "Content-Type: text/plain\\r\\n\\r\\nsick\\n"\n' >/tmp/www/cgi-bin/sick
              chmod 755 /tmp/www/cgi-bin/sick
              /bin/busybox httpd -f -v -p 8080 -h /tmp/www & wait
          readinessProbe:
            httpGet: {path: /ready.html, port: 8080}
            periodSeconds: 1
            failureThreshold: 1
YAML
build_pod "$work/web.yml"
run_pod web -p "$port:8080"
[[ $("$host" ps -o json | jq '[.[] | select(.state == "ready")] | length') == 3 ]] ||
  fail "not 3 ready replicas: $("$host" ps)"

# Every replica serves: each one's agent has logged requests of its own.
for _ in $(seq 30); do
  [[ $(curl -sf -m 5 "http://127.0.0.1:$port/") == "Hello from i2kit" ]] || fail "a request failed"
done
# The replicas by name, as ps lists them (a VM that failed to start may have been replaced).
names() { "$host" ps -o json | jq -r '.[] | select(.state == "ready") | .name'; }
mapfile -t replicas < <(names)
for name in "${replicas[@]}"; do
  agent_port=$("$host" ps -o json | jq -r --arg n "$name" '.[] | select(.name == $n) | .agentPort')
  served=$(curl -sf -m 5 "http://127.0.0.1:$agent_port/logs?container=web" | grep -c 'response:200' || true)
  ((served >= 5)) || fail "$name served $served of 30 requests: not balanced"
done
pid_of() { "$host" ps -o json | jq -r --arg n "$1" '.[] | select(.name == $n) | .pid'; }
# ready_without NAME: waits until 3 replicas are ready and NAME is not among them; prints the new one.
ready_without() {
  local deadline=$((SECONDS + 120)) now
  until now=$(names) && [[ $(wc -l <<<"$now") == 3 ]] && ! grep -qx "$1" <<<"$now"; do
    ((SECONDS < deadline)) || fail "$1 was not replaced by a ready replica within 120 s: $("$host" ps)"
    sleep 1
  done
  comm -13 <(printf '%s\n' "${replicas[@]}" | sort) <(sort <<<"$now")
}

# Kill one VM (QEMU itself, as a crash would) under a steady request loop.
rm -f "$work/stop"
request_loop "$port" >"$work/loop" &
loop_pid=$!
sleep 3
killed=${replicas[1]}
kill -9 "$(pid_of "$killed")"
replacement=$(ready_without "$killed")
mapfile -t replicas < <(names)
sleep 3  # requests keep flowing through all three
touch "$work/stop"
wait "$loop_pid"
read -r ok failed <"$work/loop"
# The one request that may be lost is the one in flight inside the VM when it died.
((failed <= 1)) || fail "$failed of $((ok + failed)) requests failed after a replica died"
"$host" ps -o json | jq -e --arg n "$killed" '[.[].name] | index($n) | not' >/dev/null ||
  fail "$killed is still listed"

# A hung VM (QEMU stopped: its agent goes silent) is replaced too, once silent for 10 s.
hung=${replicas[0]}
kill -STOP "$(pid_of "$hung")"
hung_replacement=$(ready_without "$hung")
grep -qE "$hung (draining|retiring): hung" "$XDG_STATE_HOME/i2kit/_controllers/web.log" ||
  fail "$hung was not retired as hung"
deadline=$((SECONDS + 30))
while "$host" ps -o json | jq -e --arg n "$hung" '[.[].name] | index($n)' >/dev/null; do
  ((SECONDS < deadline)) || fail "the hung $hung was not stopped within 30 s"
  sleep 1
done

# A replica whose Pod stops being ready leaves the load balancer at once and is replaced once
# unhealthy for 20 s; requests meanwhile all go to the others.
mapfile -t replicas < <(names)
rm -f "$work/stop"
request_loop "$port" >"$work/loop" &
loop_pid=$!
log="$XDG_STATE_HOME/i2kit/_controllers/web.log"
logged=$(wc -l <"$log")  # what the controller says from here on is about the sick replica
[[ $(curl -sf -m 5 "http://127.0.0.1:$port/cgi-bin/sick") == sick ]] || fail "no answer from /cgi-bin/sick"
since_sick() { tail -n +"$((logged + 1))" "$log"; }
deadline=$((SECONDS + 30))
until sick=$(since_sick | grep -oE "web/[0-9]+ unhealthy \(GET /readyz failing" | cut -d' ' -f1); [[ -n $sick ]]; do
  ((SECONDS < deadline)) || fail "no replica became unhealthy after /cgi-bin/sick: $("$host" ps)"
  sleep 1
done
sick_replacement=$(ready_without "$sick")
since_sick | grep -E "$sick (draining|retiring): unhealthy for 2[0-9] s" >/dev/null ||
  fail "$sick was not retired after 20 s unhealthy: $(since_sick)"
touch "$work/stop"
wait "$loop_pid"
read -r sick_ok sick_failed <"$work/loop"
((sick_failed == 0)) || fail "$sick_failed of $((sick_ok + sick_failed)) requests failed while $sick was unhealthy"

# A controller that dies leaves its VMs running; the next run adopts them instead of booting new ones.
before=$("$host" ps -o json | jq -c '[.[] | .name] | sort')
kill -9 "$(jq -r .pid "$XDG_STATE_HOME/i2kit/_controllers/web.status.json")"
"$host" run "$work/out/web" -d -p "$port:8080" >/dev/null 2>"$work/rerun.log" || fail "run after the controller died: $(cat "$work/rerun.log")"
after=$("$host" ps -o json | jq -c '[.[] | .name] | sort')
[[ $after == "$before" ]] || fail "the rerun did not adopt the VMs: $before before, $after after"
[[ $(curl -sf -m 5 "http://127.0.0.1:$port/") == "Hello from i2kit" ]] || fail "no answer after the adoption"
echo "3 replicas served; $killed killed and replaced by $replacement ($ok requests succeeded, $failed failed); the hung $hung replaced by $hung_replacement; the unready $sick replaced by $sick_replacement ($sick_ok requests, 0 failed); a dead controller's VMs adopted"
