# `i2kit-host exec` on one Pod VM, one boot for every check: the exit code comes back, -t gives a terminal, -i passes stdin, a non-root container's command stays that user with no capability, seccomp and no_new_privs, a wrong key is refused, and a container cannot reach the exec port; `ps -o json` shows the replica's live figures.
# shellcheck shell=bash
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"

rootfs="$work/exec-root"
busybox_root "$rootfs"
oci_image execbox "$rootfs" '{"Entrypoint": ["/bin/sh", "-c", "trap \"exit 0\" TERM; sleep 3600 & wait"], "User": "0:0", "Env": ["PATH=/bin"], "WorkingDir": "/"}'
cat >"$work/shell.yml" <<YAML
apiVersion: apps/v1
kind: Deployment
metadata: {name: shell}
spec:
  selector: {matchLabels: {app: shell}}
  template:
    metadata: {labels: {app: shell}}
    spec:
      terminationGracePeriodSeconds: 2
      containers:
      - name: app
        image: oci:$work/images/execbox:latest
        securityContext:
          runAsUser: 1000
          capabilities: {drop: [ALL]}
      - name: root
        image: oci:$work/images/execbox:latest
        securityContext: {runAsUser: 0}
YAML
build_pod "$work/shell.yml"
run_pod shell

# The exit code passes through (the first app container is the default).
set +e
"$host" exec shell -- sh -c 'exit 7'
code=$?
set -e
[[ $code == 7 ]] || fail "exec exit code $code, wanted 7"

# The non-root container's command: its uid, no capability, no_new_privs, a seccomp filter.
status=$("$host" exec shell -c app -- sh -c 'id -u; grep -E "^(CapEff|CapPrm|CapBnd|NoNewPrivs|Seccomp):" /proc/self/status') ||
  fail "exec in app: $status"
for line in '^1000$' '^CapEff:\s+0000000000000000$' '^CapPrm:\s+0000000000000000$' \
  '^CapBnd:\s+0000000000000000$' '^NoNewPrivs:\s+1$' '^Seccomp:\s+2$'; do
  grep -qP "$line" <<<"$status" || fail "exec in app lacks /$line/: $status"
done
# The root container's keeps its own (the default set), no more.
root_caps=$("$host" exec shell -c root -- grep CapEff /proc/self/status) || fail "exec in root"
grep -qP 'CapEff:\s+00000000000004fb' <<<"$root_caps" || fail "exec in root: $root_caps"

# A terminal with -t; stdin with -i.
tty_out=$("$host" exec -t shell -- sh -c 'tty; [ -t 0 ] && echo stdin-is-a-terminal') || fail "exec -t: $tty_out"
grep -q '^/dev/pts/' <<<"$tty_out" || fail "exec -t gave no terminal: $tty_out"
grep -q 'stdin-is-a-terminal' <<<"$tty_out" || fail "exec -t: stdin is no terminal: $tty_out"
echo_out=$(printf 'through stdin\n' | "$host" exec -i shell -- cat) || fail "exec -i"
[[ $echo_out == "through stdin" ]] || fail "exec -i echoed '$echo_out'"

# A request without the host's key is refused, and says nothing more.
record="$XDG_STATE_HOME/i2kit/shell/0/replica.json"
exec_port=$(jq -r .execPort "$record")
forged=$(
  exec 3<>"/dev/tcp/127.0.0.1/$exec_port"
  printf '{"key":"0000","container":"app","command":["id"]}\n' >&3
  timeout 30 cat <&3 | tr -d '\0' || true
)
grep -q 'exec refused' <<<"$forged" || fail "a forged request got: $forged"
grep -q 'uid=' <<<"$forged" && fail "a forged request ran: $forged"

# From inside a container, the exec port cannot even be connected to (the agent's cgroup
# filter), on loopback or the VM's own address.
for address in 127.0.0.1 10.0.2.15; do
  attack=$("$host" exec shell -c root -- sh -c "echo x | nc -w 3 $address 8090; echo rc=\$?" 2>&1) || true
  grep -q 'rc=0' <<<"$attack" && fail "a container reached the exec port at $address: $attack"
  grep -qi 'not permitted' <<<"$attack" || fail "connecting to $address:8090 from a container: $attack"
done
# ps shows the replica's live figures from its agent (one more check on the same boot).
ps_json=$("$host" ps shell -o json)
jq -e '.[0].memoryUsedBytes > 0 and .[0].memoryTotalBytes > 0 and (.[0].containers | length) == 2
  and (.[0].cpuPercent | type) == "number" and .[0].restarts == 0' <<<"$ps_json" >/dev/null ||
  fail "ps -o json lacks the live figures: $ps_json"
"$host" ps shell
echo "exec: exit code, terminal, stdin, the container's own uid and capabilities, forged key refused, exec port closed to containers"
