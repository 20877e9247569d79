# Running `run` again with a changed manifest rolls the new image out one replica at a time under a steady request loop with zero failed requests; an update whose container never gets ready stops at the progress deadline, rolls back, exits non-zero, and the old replicas keep serving.
# shellcheck shell=bash
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"

port=18083
# manifest VERSION [READINESS-PORT]: the Deployment, with VERSION in its environment (a new
# image) and, when given, a readiness probe on a port nobody listens on (never ready).
manifest() {
  cat <<YAML
apiVersion: apps/v1
kind: Deployment
metadata: {name: roll}
spec:
  replicas: 2
  progressDeadlineSeconds: 40
  selector: {matchLabels: {app: roll}}
  template:
    metadata: {labels: {app: roll}}
    spec:
      terminationGracePeriodSeconds: 5
      containers:
        - name: web
          image: oci:$images/busybox-httpd:latest
          ports: [{containerPort: 8080}]
          env: [{name: VERSION, value: "$1"}]
YAML
  if [[ -n ${2:-} ]]; then
    printf '          readinessProbe: {httpGet: {path: /, port: %s}, periodSeconds: 2}\n' "$2"
  fi
}
# request_loop: requests every 50 ms until $work/stop exists; prints "OK FAILED".
request_loop() {
  local ok=0 failed=0
  rm -f "$work/stop"
  while [[ ! -e $work/stop ]]; do
    if curl -sf -m 3 -o /dev/null "http://127.0.0.1:$port/"; then ok=$((ok + 1)); else failed=$((failed + 1)); fi
    sleep 0.05
  done
  echo "$ok $failed"
}
digests() { "$host" ps -o json | jq -r '[.[].imageDigest] | unique | join(" ")'; }

for version in 1 2 3; do mkdir -p "$work/v$version"; done
manifest 1 >"$work/v1/roll.yml"
manifest 2 >"$work/v2/roll.yml"
manifest 3 9999 >"$work/v3/roll.yml"
build() { "$host" build "$work/$1/roll.yml" -o "$work/$1/out" --agent "$agent" >/dev/null 2>&1 || fail "build $1"; }
build v1
build v2
build v3
started+=(roll)
"$host" run "$work/v1/out/roll" -d --accel "${I2KIT_TEST_ACCEL:-tcg}" -p "$port:8080" --timeout 120 ||
  fail "run v1"
v1=$(digests)

request_loop >"$work/loop" &
loop_pid=$!
sleep 2
"$host" run "$work/v2/out/roll" -d >"$work/update.log" 2>&1 || { cat "$work/update.log" >&2; fail "the update to v2 failed"; }
sleep 2
touch "$work/stop"
wait "$loop_pid"
read -r ok failed <"$work/loop"
v2=$(digests)
[[ $v2 != "$v1" && $v2 != *" "* ]] || fail "after the update the replicas run '$v2' (before: $v1)"
grep -q 'draining: replaced by image' "$work/update.log" || fail "no replica was drained: $(cat "$work/update.log")"
((failed == 0)) || fail "$failed of $((ok + failed)) requests failed during the update"
updated="$ok requests during the update, none failed"

request_loop >"$work/loop" &
loop_pid=$!
if "$host" run "$work/v3/out/roll" -d >"$work/broken.log" 2>&1; then fail "the broken update succeeded"; fi
sleep 5  # the never-ready replica is being stopped
touch "$work/stop"
wait "$loop_pid"
read -r ok failed <"$work/loop"
grep -q 'rolled back' "$work/broken.log" || fail "the broken update did not say it rolled back: $(cat "$work/broken.log")"
((failed == 0)) || fail "$failed of $((ok + failed)) requests failed during the broken update"
[[ $(digests) == "$v2" ]] || fail "after the rollback the replicas run '$(digests)', not $v2"
echo "$updated; the broken update rolled back ($ok requests meanwhile, none failed)"
