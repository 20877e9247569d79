# One Pod VM whose containers attack it from inside (issue 15): each attacks/NAME.sh runs in the containers its "# runs-in:" header names and prints "PASS NAME: …" or "FAIL NAME: …"; the test fails on any FAIL or on an attack that printed nothing.
# shellcheck shell=bash
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

# The containers, each a security context an attack may need (the name is what "# runs-in:"
# says): root = uid 0 with the default capabilities; nonroot = runAsUser 1000, defaults;
# bind = runAsUser 1000 with NET_BIND_SERVICE added; layer = restarted by its liveness probe
# once /kill-me exists; filler = fills its writable layer; witness = no attacks, counts on
# 127.0.0.1:7070 (attack-tool serve-count) for attacks that restart their container; scratch =
# an image of one static busybox, read-only root, no attacks: `busybox httpd` on :8081;
# probed = an exec liveness probe that never ends (timeout 45 s, never restarting it).
containers=(witness root nonroot bind layer filler scratch probed)

# The attack image: a static busybox with every applet, the attacks and the tools.
rootfs="$work/attack-root"
busybox_root "$rootfs"
mkdir -p "$rootfs"/{etc,attacks,tools}
gcc -static -Os -Wall -Wextra -Werror -o "$rootfs/tools/attack-tool" "$here/tools/attack-tool.c" ||
  fail "compiling tools/attack-tool.c"
install -m 0755 "$here/tools/run-attacks" "$rootfs/tools/run-attacks"
install -m 0644 "$here"/attacks/*.sh "$rootfs/attacks/"
oci_image attacks "$rootfs" '{"Entrypoint": ["/bin/sh", "/tools/run-attacks"], "User": "0:0", "Env": ["PATH=/bin"], "WorkingDir": "/"}'
# The scratch image: the static busybox as its only file.
mkdir -p "$work/scratch-root"
install -m 0755 "$busybox" "$work/scratch-root/busybox"
oci_image scratch "$work/scratch-root" '{"Entrypoint": ["/busybox", "httpd", "-f", "-p", "8081", "-h", "/"], "User": "65534:65534"}'

# What each attack must print: "CONTAINER ATTACK" pairs from the scripts' headers.
expected=()
for script in "$here"/attacks/*.sh; do
  attack=$(basename "$script" .sh)
  where=$(sed -n 's/^# runs-in: *//p' "$script")
  [[ -n $where ]] || fail "$script has no '# runs-in:' line"
  for container in $where; do
    [[ " ${containers[*]} " == *" $container "* ]] ||
      fail "$script runs in '$container', which the Pod does not have"
    expected+=("$container $attack")
  done
done

# container NAME [SECURITY-CONTEXT [FIELDS]]: one container of the Pod, running NAME's
# attacks; FIELDS are more container fields, indented as such.
container() {
  cat <<YAML
      - name: $1
        image: oci:$work/images/attacks:latest
        args: [$1]
${2:+        securityContext: $2}
${3:-}
YAML
}
{
  cat <<YAML
apiVersion: apps/v1
kind: Deployment
metadata: {name: hostile}
spec:
  selector: {matchLabels: {app: hostile}}
  template:
    metadata: {labels: {app: hostile}}
    spec:
      terminationGracePeriodSeconds: 2
      containers:
YAML
  container witness
  container root
  container nonroot '{runAsUser: 1000}'
  container bind '{runAsUser: 1000, capabilities: {add: [NET_BIND_SERVICE]}}'
  container filler
  # runc exec is slow under TCG: a generous timeout, so that only /kill-me fails the probe.
  container layer '' '        livenessProbe:
          exec: {command: [/bin/sh, -c, "test ! -e /kill-me"]}
          periodSeconds: 2
          failureThreshold: 1
          timeoutSeconds: 30'
  container probed '' '        livenessProbe:
          exec: {command: [/bin/sh, -c, "echo $$ >>/probe-pids; exec sleep 1000"]}
          periodSeconds: 30
          failureThreshold: 1000
          timeoutSeconds: 45'
  cat <<YAML
      - name: scratch
        image: oci:$work/images/scratch:latest
        securityContext: {readOnlyRootFilesystem: true}
        # Made by a probe child that is not root (probe_check.h); the Pod is ready only if it works.
        readinessProbe:
          httpGet: {path: /etc/hostname, port: 8081}
          periodSeconds: 2
          timeoutSeconds: 5
YAML
} >"$work/hostile.yml"

# Host side of the network attacks (issue 15, items 1, 7, 9), each a small function.
# host_loopback_listener: listens on the host's 127.0.0.1:18099, which host-loopback.sh tries
# from a container through QEMU's 10.0.2.2; whoever connects is written to $work/loopback.hits.
host_loopback_listener() {
  python3 -c '
import socket, sys
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", 18099))
s.listen(8)
while True:
    c, peer = s.accept()
    with open(sys.argv[1], "a") as hits:
        hits.write(f"{peer}\n")
    c.close()
' "$work/loopback.hits" &
}
check_host_loopback() {
  [[ ! -s $work/loopback.hits ]] ||
    fail "a container reached the host's 127.0.0.1:18099: $(tr '\n' ' ' <"$work/loopback.hits")"
  echo "PASS [host] host-loopback: the listener on the host's 127.0.0.1:18099 saw no connection"
}
# watch_agent_endpoint NAME: GET /healthz on NAME's agent every second until $work/attacks.done
# exists, each within 2 s (TCG on a busy host). The balancer takes a replica out after two
# failed checks in a row (target_health.h), so two misses in a row go to $work/healthz.misses:
# the Pod would have turned unready (agent-hold must starve nothing). A single slow answer
# while two TCG VMs share the machine with the builds is not that.
watch_agent_endpoint() {
  local port
  port=$(jq -r .agentPort "$XDG_STATE_HOME/i2kit/$1/0/replica.json") || fail "no agent port for $1"
  (
    missed=""
    while [[ ! -e $work/attacks.done ]]; do
      if curl -fsS -m 2 -o /dev/null "http://127.0.0.1:$port/healthz"; then
        missed=""
      else
        [[ -z $missed ]] || echo "$missed and $(date +%T)" >>"$work/healthz.misses"
        missed=$(date +%T)
      fi
      sleep 1
    done
  ) &
}
check_agent_endpoint() {
  touch "$work/attacks.done"
  [[ ! -s $work/healthz.misses ]] ||
    fail "GET /healthz missed its 2 s twice in a row while the containers attacked: $(tr '\n' ' ' <"$work/healthz.misses")"
  echo "PASS [host] agent-hold: GET /healthz never missed its 2 s twice in a row during the attacks"
}
# check_agent_identity NAME: the agent read its identity from the metadata service that its
# containers are refused (imds-credentials).
check_agent_identity() {
  "$host" logs "$1" | grep "instance i-local-$1-0 in region local" >/dev/null ||
    fail "the agent did not learn its instance id from the local metadata service"
  echo "PASS [host] imds-credentials: the agent still learned its instance id (i-local-$1-0)"
}

# check_forged_lines NAME: forged-agent-line's lines reach the console escaped, never as lines
# of the agent (issue 15, item 10).
check_forged_lines() {
  local console
  console=$("$host" logs "$1")
  grep -qF 'root: x\ri2kit-agent: FORGED pod ready' <<<"$console" ||
    fail "forged-agent-line: the carriage return did not reach the console escaped"
  grep -qF 'root: \e[2K\e[1Gi2kit-agent: FORGED container root exited' <<<"$console" ||
    fail "forged-agent-line: the escape sequences did not reach the console escaped"
  if grep -qE '^i2kit-agent: FORGED' <<<"$console"; then
    fail "forged-agent-line: a container's line passed for the agent's"
  fi
  echo "PASS [host] forged-agent-line: the forged lines show escaped, none as the agent's"
}

build_pod "$work/hostile.yml"
host_loopback_listener
run_pod hostile
watch_agent_endpoint hostile

# Waits until every expected attack has printed its line (or 240 s: attacks under TCG are slow).
deadline=$((SECONDS + 240))
while true; do
  log=$("$host" logs hostile 2>/dev/null || true)
  missing=()
  for pair in "${expected[@]}"; do
    read -r container attack <<<"$pair"
    grep -qE "(^|[^a-z0-9-])$container(/stderr)?: (PASS|FAIL) $attack:" <<<"$log" ||
      missing+=("$attack (in $container)")
  done
  ((${#missing[@]} == 0 || SECONDS >= deadline)) && break
  sleep 2
done

grep -E ': (PASS|FAIL) [a-z0-9-]+:' <<<"$log" | sed -E 's/^(.*[^a-z0-9-])?([a-z0-9-]+)(\/stderr)?: (PASS|FAIL) /\4 [\2] /' || true
failed=$(grep -cE ': FAIL [a-z0-9-]+:' <<<"$log" || true)
((${#missing[@]} == 0)) || fail "attacks that printed nothing: ${missing[*]}"
((failed == 0)) || fail "$failed attack(s) succeeded"
check_host_loopback
check_agent_endpoint
check_agent_identity hostile
check_forged_lines hostile
echo "${#expected[@]} attacks, all stopped"
