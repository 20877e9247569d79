# Running `run` again with a changed manifest rolls the new image out one replica at a time under a steady request loop with zero failed requests; an update whose container never gets ready stops at the progress deadline, rolls back, exits non-zero, and the old replicas keep serving.
# shellcheck shell=bash
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"

port=18083
# manifest VERSION [READINESS-PORT]: the Deployment, with VERSION in its environment (a new
# image) and, when given, a readiness probe on a port nobody listens on (never ready).
manifest() {
  local probe=""
  if [[ -n ${2:-} ]]; then
    probe="          readinessProbe: {httpGet: {path: /, port: $2}, periodSeconds: 2}"
  fi
  printf '          env: [{name: VERSION, value: "%s"}]\n%s\n' "$1" "$probe" |
    web_deployment roll 2 "  progressDeadlineSeconds: 40"
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

rm -f "$work/stop"
request_loop "$port" >"$work/loop" &
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

rm -f "$work/stop"
request_loop "$port" >"$work/loop" &
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
