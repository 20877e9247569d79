# Inside a container, /proc/self/status shows what the manifest asked: root by default holds the 8 least-privilege capabilities, NoNewPrivs 1 and a seccomp filter; with drop ALL as a non-root user, no capability at all (and runc exec probes still reach it); the agent itself reports a seccomp filter and a bounding set without SYS_MODULE.
# shellcheck shell=bash
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"

cat >"$work/caps.yml" <<YAML
apiVersion: apps/v1
kind: Deployment
metadata: {name: caps}
spec:
  selector: {matchLabels: {app: caps}}
  template:
    metadata: {labels: {app: caps}}
    spec:
      terminationGracePeriodSeconds: 2
      containers:
      - name: plain
        image: oci:$images/busybox-httpd:latest
        command: [/bin/sh, -c, "grep -E '^(CapEff|CapBnd|NoNewPrivs|Seccomp):' /proc/self/status; exec sleep 3600"]
        # Root: the image's user (nobody) would hold no capability (hostile-container checks it).
        securityContext: {runAsUser: 0}
      - name: dropped
        image: oci:$images/busybox-httpd:latest
        command: [/bin/sh, -c, "grep -E '^(CapEff|CapPrm|NoNewPrivs):' /proc/self/status; exec sleep 3600"]
        securityContext:
          runAsUser: 1000
          capabilities: {drop: [ALL]}
        # runc exec into another user's process, under the agent's own confinement.
        readinessProbe:
          exec: {command: [/bin/true]}
          periodSeconds: 2
          timeoutSeconds: 30  # runc exec is slow under TCG
YAML
build_pod "$work/caps.yml"
run_pod caps
wait_console caps 'dropped: NoNewPrivs' 30
log=$("$host" logs caps)
# CHOWN DAC_OVERRIDE FOWNER FSETID KILL SETGID SETUID NET_BIND_SERVICE = bits 0 1 3 4 5 6 7 10.
for line in 'plain: CapEff:\s+00000000000004fb' 'plain: CapBnd:\s+00000000000004fb' \
  'plain: NoNewPrivs:\s+1' 'plain: Seccomp:\s+2' 'dropped: CapEff:\s+0000000000000000' \
  'dropped: CapPrm:\s+0000000000000000' 'dropped: NoNewPrivs:\s+1'; do
  grep -qP "$line" <<<"$log" || fail "console lacks /$line/"
done
grep -qP 'i2kit-agent: confined: CapBnd [0-9a-f]{16}' <<<"$log" || fail "the agent did not report its confinement"

# The agent's /status reads its own /proc/self/status when asked.
record="$XDG_STATE_HOME/i2kit/caps/0/replica.json"
agent_port=$(jq -r .agentPort "$record") || fail "no agentPort in $record"
status=$(curl -fsS -m 5 "http://127.0.0.1:$agent_port/status") || fail "GET /status on port $agent_port"
seccomp=$(jq -r .agent.seccomp <<<"$status")
[[ $seccomp == 1 || $seccomp == 2 ]] || fail "agent seccomp is '$seccomp': $status"
[[ $(jq -r .agent.noNewPrivs <<<"$status") == false ]] || fail "the agent set no_new_privs: $status"
cap_bnd=$(jq -r .agent.capBnd <<<"$status")
[[ $cap_bnd =~ ^[0-9a-f]{16}$ ]] || fail "agent capBnd is '$cap_bnd': $status"
(((16#$cap_bnd >> 16 & 1) == 0)) || fail "agent CapBnd $cap_bnd keeps SYS_MODULE (bit 16)"
echo "capabilities, NoNewPrivs and seccomp as asked; agent confined (CapBnd $cap_bnd, seccomp $seccomp)"
