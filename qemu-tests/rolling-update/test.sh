# Running `run MANIFEST -d` again after changing an environment value in the manifest builds the new image and rolls it out one replica at a time under a steady request loop with zero failed requests, after which every answer carries the new value; an update whose container never gets ready stops at the progress deadline, rolls back, exits non-zero, and the old replicas keep serving.
# shellcheck shell=bash
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"

port=18083
# manifest VERSION [READINESS-PORT]: the Deployment, serving "version VERSION" from VERSION in
# its environment (a new image) and, when given, a readiness probe on a port nobody listens on
# (never ready).
manifest() {
  local probe=""
  if [[ -n ${2:-} ]]; then
    probe="          readinessProbe: {httpGet: {path: /, port: $2}, periodSeconds: 2}"
  fi
  {
    printf '          env: [{name: VERSION, value: "%s"}]\n%s\n' "$1" "$probe"
    cat <<'YAML'
          command: [/bin/sh, -c]
          args: ['trap "exit 0" TERM; mkdir -p /tmp/www; echo "version $VERSION" >/tmp/www/index.html; /bin/busybox httpd -f -p 8080 -h /tmp/www & wait']
YAML
  } | web_deployment roll 2 "  progressDeadlineSeconds: 40"
}
digests() { "$host" ps -o json | jq -r '[.[].imageDigest] | unique | join(" ")'; }
# served N: what N requests were answered, one answer a line, counted: "N version 2".
served() { for _ in $(seq "$1"); do curl -sf -m 5 "http://127.0.0.1:$port/" || echo failed; done | sort | uniq -c | sed 's/^ *//'; }

# As a user would: the manifest in a directory of its own, run (so built) as it is edited.
mkdir -p "$work/app" "$work/v3"
manifest 1 >"$work/app/roll.yml"
manifest 3 9999 >"$work/v3/roll.yml"
"$host" build "$work/v3/roll.yml" -o "$work/v3/out" --agent "$agent" >/dev/null 2>&1 || fail "build v3"
started+=(roll)
(cd "$work/app" && "$host" run roll.yml -d --agent "$agent" --accel "${I2KIT_TEST_ACCEL:-tcg}" \
  -p "$port:8080" --timeout 120) >"$work/run1.log" 2>&1 || { cat "$work/run1.log" >&2; fail "run v1"; }
v1=$(digests)
[[ $(served 5) == "5 version 1" ]] || fail "v1 serves: $(served 5)"
# Unchanged, it is the same image, checked in about a second: nothing is rolled.
checked=$SECONDS
(cd "$work/app" && "$host" run roll.yml -d --agent "$agent") >"$work/same.log" 2>&1 ||
  { cat "$work/same.log" >&2; fail "run of the unchanged manifest"; }
grep -q 'roll: up to date' "$work/same.log" || fail "the unchanged manifest was built again: $(cat "$work/same.log")"
[[ $(digests) == "$v1" ]] || fail "the unchanged manifest changed the image"
same="an unchanged run took $((SECONDS - checked)) s"

manifest 2 >"$work/app/roll.yml"
rm -f "$work/stop"
request_loop "$port" >"$work/loop" &
loop_pid=$!
sleep 2
(cd "$work/app" && "$host" run roll.yml -d --agent "$agent") >"$work/update.log" 2>&1 ||
  { cat "$work/update.log" >&2; fail "the update to v2 failed"; }
sleep 2
touch "$work/stop"
wait "$loop_pid"
read -r ok failed <"$work/loop"
v2=$(digests)
[[ $v2 != "$v1" && $v2 != *" "* ]] || fail "after the update the replicas run '$v2' (before: $v1)"
grep -q 'roll: built image' "$work/update.log" || fail "the changed manifest was not built: $(cat "$work/update.log")"
grep -q 'draining: replaced by image' "$work/update.log" || fail "no replica was drained: $(cat "$work/update.log")"
((failed == 0)) || fail "$failed of $((ok + failed)) requests failed during the update"
[[ $(served 30) == "30 version 2" ]] || fail "after the update 30 requests got: $(served 30)"
updated="$ok requests during the update, none failed, then 30 of 30 served the new value; $same"

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
