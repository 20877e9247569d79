# The example's disk.raw booted as on EC2 (SeaBIOS, virtio, DHCP) with an IMDSv2 at 169.254.169.254 and the local AWS stand-in behind every AWS name: the agent runs the EC2 reporter from the disk's EC2 partition, which resolves the regional endpoints through the VM's DNS and speaks TLS to them, signals CloudFormation SUCCESS, publishes metrics and ships the container's log lines though the metadata service is slow and AWS throttles; without a metadata service the reporter does nothing and the Pod serves all the same.
# shellcheck shell=bash

# The guest's DNS answers every *.amazonaws.com name with QEMU's host, where the stand-in
# serves TLS on port 443. QEMU forwards the guest's DNS to the nameserver in the host's
# /etc/resolv.conf, so the test runs in network and mount namespaces of its own: its own port
# 53 and 443, and its own resolv.conf.
if [[ -z ${I2KIT_TEST_NAMESPACED:-} ]]; then
  userns=()
  ((EUID == 0)) || userns=(--map-root-user)
  exec env I2KIT_TEST_NAMESPACED=1 unshare --net --mount "${userns[@]}" \
    bash "${BASH_SOURCE[0]}" "$@"
fi
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ip link set lo up

# A CA of the test's own, which the disk's EC2 partition carries instead of the host's bundle,
# and the stand-in's certificate for every us-east-1 endpoint, made before anything else: the
# guest's clock, read from the RTC at boot, must find it already valid.
openssl_quiet() { openssl "$@" 2>>"$work/openssl.log" || fail "openssl $1: $(cat "$work/openssl.log")"; }
openssl_quiet req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
  -subj "/CN=i2kit test CA" -addext "basicConstraints=critical,CA:TRUE" \
  -addext "keyUsage=critical,keyCertSign" -keyout "$work/ca.key" -out "$work/ca.pem"
openssl_quiet req -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
  -subj "/CN=*.us-east-1.amazonaws.com" -keyout "$work/aws.key" -out "$work/aws.csr"
printf 'subjectAltName=DNS:*.us-east-1.amazonaws.com\nextendedKeyUsage=serverAuth\n' >"$work/aws.ext"
openssl_quiet x509 -req -in "$work/aws.csr" -CA "$work/ca.pem" -CAkey "$work/ca.key" \
  -CAcreateserial -days 2 -extfile "$work/aws.ext" -out "$work/aws.pem"

# The namespace's DNS: dnsmasq on 127.0.0.1:53, named in the resolv.conf QEMU reads.
dnsmasq --keep-in-foreground --conf-file=/dev/null --no-resolv --no-hosts --user=root \
  --listen-address=127.0.0.1 --bind-interfaces --port=53 --pid-file= \
  --address=/amazonaws.com/169.254.2.2 --log-queries --log-facility="$work/dns.log" &
deadline=$((SECONDS + 10))
until grep -q "started" "$work/dns.log" 2>/dev/null; do
  ((SECONDS < deadline)) || fail "dnsmasq did not start: $(cat "$work/dns.log" 2>/dev/null)"
  sleep 0.1
done
echo "nameserver 127.0.0.1" >"$work/resolv.conf"
mount --bind "$work/resolv.conf" /etc/resolv.conf

build_pod "$repo/examples/hello.yml" --ca-bundle "$work/ca.pem"

# The stand-in, with the session token of the instance role imds.py hands out: plain HTTP
# on a free port for this script and `deploy`, TLS on 443 for the guest. It serves until its
# stdin (a pipe this shell holds) closes.
mkfifo "$work/stand-in.in"
python3 "$repo/tests/aws-stand-in/aws_stand_in.py" --session-token i2kit-test-session \
  --region us-east-1 --tls-port 443 --tls-cert "$work/aws.pem" --tls-key "$work/aws.key" \
  <"$work/stand-in.in" >"$work/stand-in.out" 2>"$work/stand-in.log" &
exec 7>"$work/stand-in.in"
for _ in $(seq 100); do grep -q https "$work/stand-in.out" 2>/dev/null && break; sleep 0.1; done
url=$(sed -n 's/^aws-stand-in listening on \(http:.*\)/\1/p' "$work/stand-in.out")
[[ -n $url ]] || fail "the AWS stand-in did not start: $(cat "$work/stand-in.log")"
control() { curl -sf "$url/_stand-in/$1" "${@:2}"; }
# has WHAT PATTERN: the stand-in's WHAT (stacks, metrics, logs) matches PATTERN. Not a pipe
# into grep -q: under pipefail, grep ending first would fail the pipe.
has() { local seen; seen=$(control "$1") && grep -q "$2" <<<"$seen"; }

# The stack the instance belongs to, created as `deploy` creates it.
AWS_ACCESS_KEY_ID=AKIDSTANDIN AWS_SECRET_ACCESS_KEY=STANDINSECRET \
  AWS_SESSION_TOKEN=i2kit-test-session AWS_CONFIG_FILE=/dev/null \
  AWS_SHARED_CREDENTIALS_FILE=/dev/null \
  "$host" deploy "$repo/examples/hello.yml" -o "$work/out" --ami ami-0123456789abcdef0 \
  --parameter VpcId=vpc-0a1b2c3d4e5f60718 \
  --parameter InstanceSubnets=subnet-0a1b2c3d4e5f60001,subnet-0a1b2c3d4e5f60002 \
  --region us-east-1 --endpoint-url "$url" --poll-interval 0 >"$work/deploy.log" 2>&1 ||
  fail "deploy: $(tail -n 20 "$work/deploy.log")"
read -r stack group < <(control stacks | python3 -c '
import json, sys
stack = json.load(sys.stdin)[0]
group = [r["logical_id"] for r in stack["resources"] if r["type"] == "AWS::AutoScaling::AutoScalingGroup"]
print(stack["name"], group[0])')

# What the template puts in the user data: no endpoint, so the reporter calls the regional
# names. The guest's network is 169.254.0.0/16 (so that 169.254.169.254 is in it, as guest
# forwarding rules must be), where QEMU's host, 127.0.0.1 here, is 169.254.2.2.
cat >"$work/user-data.json" <<JSON
{"stack": "$stack", "deployment": "hello", "resource": "$group", "region": "us-east-1",
 "metricsNamespace": "i2kit/$stack"}
JSON
export IMDS_USER_DATA="$work/user-data.json" IMDS_DELAY_SECONDS=0.3

# AWS throttles the signal and the first log batch, and fails a metrics call.
control faults -X POST -d '{"throttle": {"count": 2, "action": "SignalResource"}}' >/dev/null
control faults -X POST -d '{"throttle": {"count": 1, "action": "PutLogEvents"}}' >/dev/null
control faults -X POST -d '{"server_error": {"count": 1, "action": "PutMetricData"}}' >/dev/null

disk() { printf '%s' "-drive if=none,id=disk0,format=raw,snapshot=on,file=$work/out/hello/disk.raw"; }
started_at=$SECONDS
boot_net="net=169.254.0.0/16,guestfwd=tcp:169.254.169.254:80-cmd:python3 $here/imds.py" \
  boot_disk ec2 18093 $(disk) -device virtio-blk-pci,drive=disk0
body=$(wait_http ec2 18093 180)
[[ "$body" == "Hello from i2kit" ]] || fail "unexpected answer: $body"
echo "served $((SECONDS - started_at)) s after QEMU started"

# SUCCESS for the group, from this instance, once the Pod is ready.
deadline=$((SECONDS + 120))
until has stacks '"status": *"SUCCESS"'; do
  ((SECONDS < deadline)) || fail "no SUCCESS signal: $(control stacks | head -c 600); console: $(grep -a ec2-reporter "$work/ec2.log" | tail -n 15)"
  sleep 2
done
has stacks '"unique_id": *"i-0123456789abcdef0"' || fail "the signal names another instance"
grep -aq "ec2-reporter started pid=" "$work/ec2.log" || fail "the agent did not start the reporter"
grep -aq "SignalResource: Throttling; retrying" "$work/ec2.log" || fail "the throttled signal was not retried"

# Metrics with the deployment and instance as dimensions, and the request's log line.
until has metrics '"InstanceId": *"i-0123456789abcdef0"' && has logs 'response:200'; do
  ((SECONDS < deadline)) || fail "no metrics or logs: $(control metrics | head -c 400) $(control logs | head -c 400); console: $(grep -a ec2-reporter "$work/ec2.log" | tail -n 15)"
  curl -sf -o /dev/null http://127.0.0.1:18093/ || true
  sleep 2
done
has metrics '"Deployment": *"hello"' || fail "metrics without the Deployment dimension"

# Each call came by its regional name, resolved by the guest through DNS, over TLS.
control requests | python3 -c '
import json, sys
calls = {r["action"]: r for r in json.load(sys.stdin)}
for action, service in [("SignalResource", "cloudformation"), ("PutMetricData", "monitoring"),
                        ("PutLogEvents", "logs")]:
    call = calls.get(action)
    host = f"{service}.us-east-1.amazonaws.com"
    if call is None or call["host"] != host or not call["tls"]:
        sys.exit(f"{action}: expected over TLS to {host}, got {call}")
' || fail "the reporter's calls did not come by name over TLS"
grep -q "query\[A\] monitoring.us-east-1.amazonaws.com" "$work/dns.log" ||
  fail "the guest did not look up monitoring.us-east-1.amazonaws.com: $(tail -n 5 "$work/dns.log")"
[[ $(curl -sf http://127.0.0.1:18093/) == "Hello from i2kit" ]] || fail "the Pod stopped serving"
echo "signalled, measured and logged $((SECONDS - started_at)) s after QEMU started"

# No metadata service: the reporter says so and ends; the Pod serves.
kill "${qemu_pids[-1]}"
wait "${qemu_pids[-1]}" 2>/dev/null || true
boot_disk no-imds 18094 $(disk) -device virtio-blk-pci,drive=disk0
body=$(wait_http no-imds 18094 180)
[[ "$body" == "Hello from i2kit" ]] || fail "unexpected answer without a metadata service: $body"
deadline=$((SECONDS + 60))
until grep -aq "ec2-reporter exited code=0" "$work/no-imds.log"; do
  ((SECONDS < deadline)) || fail "the reporter did not give up: $(grep -a ec2-reporter "$work/no-imds.log" | tail -n 10)"
  sleep 1
done
grep -aq "reporting nothing" "$work/no-imds.log" || fail "the reporter did not say why it ended"
[[ $(curl -sf http://127.0.0.1:18094/) == "Hello from i2kit" ]] || fail "the Pod stopped serving"
echo "without a metadata service: served, the reporter ended $((SECONDS - started_at)) s after the first QEMU started"
