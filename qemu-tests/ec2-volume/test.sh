# A stateful Pod's disk.raw booted as on EC2 with its EBS volume on NVMe (serial vol…, as EBS gives it) and the AWS stand-in behind the user data's endpointUrl: the volume is first held by the instance being replaced, so the agent's attach-volumes waits, says so once, attaches it after the old instance lets go, and the agent formats the blank disk from the Pod's seed and starts the container on it; a reboot finds it attached here and keeps the row.
# shellcheck shell=bash
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

port=18096
rows_db_manifest "$work/db.yml"
build_pod "$work/db.yml"

# The stand-in, plain HTTP on a free port of the host, which the guest reaches as QEMU's host
# 169.254.2.2; the instance role's session token is the one imds.py hands out.
mkfifo "$work/stand-in.in"
python3 "$repo/tests/aws-stand-in/aws_stand_in.py" --session-token i2kit-test-session \
  --region us-east-1 <"$work/stand-in.in" >"$work/stand-in.out" 2>"$work/stand-in.log" &
exec 7>"$work/stand-in.in"
for _ in $(seq 100); do grep -q http "$work/stand-in.out" 2>/dev/null && break; sleep 0.1; done
url=$(sed -n 's/^aws-stand-in listening on \(http:[^ ]*\).*/\1/p' "$work/stand-in.out")
[[ -n $url ]] || fail "the AWS stand-in did not start: $(cat "$work/stand-in.log")"
ec2() {
  python3 -c '
import json, sys, boto3
ec2 = boto3.client("ec2", endpoint_url=sys.argv[1], region_name="us-east-1",
                   aws_access_key_id="AKIDSTANDIN", aws_secret_access_key="STANDINSECRET",
                   aws_session_token="i2kit-test-session")
result = getattr(ec2, sys.argv[2])(**json.loads(sys.argv[3]))
result.pop("ResponseMetadata", None)
print(json.dumps(result, default=str))' "$url" "$@"
}
volume=$(ec2 create_volume '{"AvailabilityZone": "us-east-1a", "Size": 1, "VolumeType": "gp3"}' |
  jq -r .VolumeId)
old=i-0aaaaaaaaaaaaaaa0
ec2 attach_volume "{\"VolumeId\": \"$volume\", \"InstanceId\": \"$old\", \"Device\": \"/dev/sdf\"}" >/dev/null
cat >"$work/user-data.json" <<JSON
{"stack": "shop", "deployment": "db", "resource": "DbGroup", "metricsNamespace": "i2kit/shop",
 "endpointUrl": "http://169.254.2.2:${url##*:}", "volumes": {"data": "$volume"}}
JSON
export IMDS_USER_DATA="$work/user-data.json"

# The EBS volume, blank, as NVMe with EBS's serial (its id without the dash).
truncate -s 16M "$work/volume.raw"
disks() {
  printf '%s ' -drive "if=none,id=disk0,format=raw,snapshot=on,file=$work/out/db/disk.raw" \
    -device virtio-blk-pci,drive=disk0 -drive "if=none,id=vol,format=raw,file=$work/volume.raw" \
    -device "nvme,serial=${volume/-/},drive=vol"
}
boot_net="net=169.254.0.0/16,guestfwd=tcp:169.254.169.254:80-cmd:python3 $here/../ec2-reporter/imds.py"
started_at=$SECONDS
# shellcheck disable=SC2046
boot_net=$boot_net boot_disk ec2vol "$port" $(disks)
# The old instance lets go once the new one has said it waits (Auto Scaling terminating it).
deadline=$((SECONDS + 300))
until grep -aq "waiting for release by $old (attached)" "$work/ec2vol.log" 2>/dev/null; do
  ((SECONDS < deadline)) || fail "attach-volumes did not wait for $old: $(tail -n 30 "$work/ec2vol.log")"
  kill -0 "${qemu_pids[-1]}" 2>/dev/null || fail "the VM ended: $(tail -n 30 "$work/ec2vol.log")"
  sleep 1
done
sleep 5
grep -aq "i2kit-agent: volume data" "$work/ec2vol.log" && fail "the volume was mounted while $old held it"
ec2 detach_volume "{\"VolumeId\": \"$volume\", \"InstanceId\": \"$old\"}" >/dev/null
echo "released by $old $((SECONDS - started_at)) s after QEMU started"
first=$(wait_rows "$port" 1)
grep -aq "was blank: formatted ext4" "$work/ec2vol.log" || fail "the agent did not say it formatted the disk"
[[ $(grep -ac "waiting for release by $old (attached)" "$work/ec2vol.log") == 1 ]] ||
  fail "the wait was not said once"
attached=$(ec2 describe_volumes "{\"VolumeIds\": [\"$volume\"]}" | jq -r '.Volumes[0].Attachments[0] | .InstanceId + " " + .State')
[[ $attached == "i-0123456789abcdef0 attached" ]] || fail "the volume is not attached here: $attached"
echo "formatted, mounted and served $((SECONDS - started_at)) s after QEMU started"

# A reboot: the volume is already this instance's; the filesystem and its row are kept.
kill "${qemu_pids[-1]}"
wait "${qemu_pids[-1]}" 2>/dev/null || true
# shellcheck disable=SC2046
boot_net=$boot_net boot_disk reboot "$port" $(disks)
rows=$(wait_rows "$port" 2)
[[ $(head -n 1 <<<"$rows") == "$first" ]] || fail "the reboot lost the first row: $rows"
grep -aq "was blank" "$work/reboot.log" && fail "the reboot formatted the volume again"
grep -aq "waiting for release" "$work/reboot.log" && fail "the reboot waited for its own volume"
echo "rebooted with the row kept $((SECONDS - started_at)) s after the first QEMU started"
