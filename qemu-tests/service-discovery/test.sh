# A container in one deployment reaches another deployment by name, `api` and `api.i2kit.local`, through ordinary DNS (the agent's resolver) and the other deployment's load balancer; the agent learns its instance id from the local instance-metadata service (IMDSv2).
# shellcheck shell=bash
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"

web_deployment api 2 </dev/null >"$work/api.yml"
# Debian's static busybox wget crashes in this image (glibc's NSS modules are missing), so
# nslookup asks the Pod's resolver (plain DNS, /etc/resolv.conf) and nc fetches the address.
cat >"$work/client.yml" <<'YAML'
name: client
containers:
  fetch:
    image: oci:IMAGES/busybox-httpd:latest
    command: [/bin/busybox, sh, -c, 'while :; do for n in api api.i2kit.local; do a=$(/bin/busybox nslookup $n | /bin/busybox grep -o "127[.]77[.][0-9.]*" | /bin/busybox head -n 1); echo "$n is $a and says $(printf "GET / HTTP/1.0\r\n\r\n" | /bin/busybox nc -w 3 $a 8080 | /bin/busybox tail -n 1)"; done; sleep 2; done']
YAML
sed -i "s|IMAGES|$images|" "$work/client.yml"
build_pod "$work/api.yml"
build_pod "$work/client.yml"
run_pod api  # no published port: reachable by name only
run_pod client
wait_console client 'api is 127[.]77[.][0-9.]+ and says Hello from i2kit' 90
wait_console client 'api[.]i2kit[.]local is 127[.]77[.][0-9.]+ and says Hello from i2kit' 30
wait_console client 'instance i-local-client-0 in region local' 5
"$host" logs client | grep -q 'service directory: .*api' || fail "the client's agent did not list api"
echo "client reached api by name and by name.domain; its agent knew its instance id"
