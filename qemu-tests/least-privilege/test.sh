# Inside a container, /proc/self/status shows what the manifest asked: by default the 8 least-privilege capabilities, NoNewPrivs 1 and a seccomp filter; with drop ALL as a non-root user, no capability at all.
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
      - name: dropped
        image: oci:$images/busybox-httpd:latest
        command: [/bin/sh, -c, "grep -E '^(CapEff|CapPrm|NoNewPrivs):' /proc/self/status; exec sleep 3600"]
        securityContext:
          runAsUser: 1000
          capabilities: {drop: [ALL]}
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
echo "capabilities, NoNewPrivs and seccomp as asked"
