# A container in one deployment reaches another deployment by name, `api` and `api.i2kit.local`, through ordinary DNS (the agent's resolver) and the other deployment's load balancer; a Kubernetes Service selecting two deployments spreads connections over both; the agent learns its instance id from the local instance-metadata service (IMDSv2).
# shellcheck shell=bash
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"

# api_deployment NAME TRACK: one replica of the example httpd saying "Hello from NAME", labelled
# app=api and track=TRACK.
api_deployment() {
  cat <<YAML
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: $1}
spec:
  replicas: 1
  selector: {matchLabels: {app: api, track: $2}}
  template:
    metadata: {labels: {app: api, track: $2}}
    spec:
      terminationGracePeriodSeconds: 5
      containers:
        - name: web
          image: oci:$images/busybox-httpd:latest
          command: [/bin/sh, -c, 'mkdir -p /tmp/www && echo "Hello from $1" >/tmp/www/index.html && exec /bin/busybox httpd -f -p 8080 -h /tmp/www']
          ports: [{containerPort: 8080, name: http}]
YAML
}
# No published port: api and api-next are reachable by name only, and through the Service.
{
  api_deployment api stable
  api_deployment api-next next
  cat <<'YAML'
---
apiVersion: v1
kind: Service
metadata: {name: backend}
spec:
  selector: {app: api}
  ports: [{port: 80, targetPort: http}]
YAML
} >"$work/api.yml"
# Debian's static busybox wget crashes in this image (glibc's NSS modules are missing), so
# nslookup asks the Pod's resolver (plain DNS, /etc/resolv.conf) and nc fetches the address.
cat >"$work/client.yml" <<'YAML'
name: client
containers:
  fetch:
    image: oci:IMAGES/busybox-httpd:latest
    command:
      - /bin/busybox
      - sh
      - -c
      - |
        get() { a=$(/bin/busybox nslookup $1 | /bin/busybox grep -o "127[.]77[.][0-9.]*" | /bin/busybox head -n 1); echo "$1 is $a and says $(printf "GET / HTTP/1.0\r\n\r\n" | /bin/busybox nc -w 3 $a $2 | /bin/busybox tail -n 1)"; }
        while :; do get api 8080; get api.i2kit.local 8080; for i in 1 2 3 4; do get backend 80; done; sleep 2; done
YAML
sed -i "s|IMAGES|$images|" "$work/client.yml"
# `run FILE` (not an artifacts directory) is what records the manifest's Services.
(cd "$work" && "$host" build api.yml --agent "$agent" >"$work/build.log" 2>&1) || { cat "$work/build.log" >&2; fail "build api.yml"; }
started+=(api api-next)
(cd "$work" && "$host" run api.yml -d --accel "${I2KIT_TEST_ACCEL:-tcg}" --timeout 120) || fail "run api.yml"
build_pod "$work/client.yml"
run_pod client
wait_console client 'api is 127[.]77[.][0-9.]+ and says Hello from api$' 90
wait_console client 'api[.]i2kit[.]local is 127[.]77[.][0-9.]+ and says Hello from api$' 30
# Each connection to the Service picks one of its two deployments at random.
wait_console client 'backend is 127[.]77[.][0-9.]+ and says Hello from api$' 30
wait_console client 'backend is 127[.]77[.][0-9.]+ and says Hello from api-next$' 30
wait_console client 'instance i-local-client-0 in region local' 5
"$host" logs client | grep 'service directory: .*api' >/dev/null || fail "the client's agent did not list api"
echo "client reached api by name and by name.domain, and both deployments behind the Service backend; its agent knew its instance id"
