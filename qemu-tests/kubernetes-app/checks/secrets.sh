# runs-in: web
# The Secret shop-secret arrived at boot (env, envFrom, the secret volume), and
# its values are on no disk the container can see: only in memory (tmpfs), never in the image.
password=s3cr3t-pa55
token=tok-4711-never-in-an-image

check() {  # check NAME WHAT GOT WANT
  if [ "$3" = "$4" ]; then echo "PASS secrets: $2 → $3"; else echo "FAIL secrets: $2 → got '$3', want '$4'"; fi
}

check env "secretKeyRef PASSWORD" "$PASSWORD" "$password"
# envFrom secretRef with prefix SEC_: the key api-token makes a name sh cannot expand.
check envfrom "envFrom SEC_password" "$(env | sed -n 's/^SEC_password=//p')" "$password"
check envfrom "envFrom SEC_api-token" "$(env | sed -n 's/^SEC_api-token=//p')" "$token"
check optional "optional secretKeyRef MAYBE of a missing key is unset" "${MAYBE-unset}" unset
dir=/var/run/secrets/shop
check volume "$dir/password" "$(cat $dir/password 2>&1)" "$password"
check volume "$dir/api-token" "$(cat $dir/api-token 2>&1)" "$token"
# The volume's files live in memory: the mount's source is a tmpfs.
fstype=$(awk -v m="$dir" '$2 == m {t = $3} END {print t}' /proc/mounts)
check tmpfs "the filesystem of $dir" "$fstype" tmpfs

# Every filesystem the container sees that is not memory (its image's EROFS, the emptyDir on
# the scratch disk, …) holds neither value nor its base64.
found=""
for mount in $(awk '$3 !~ /^(tmpfs|proc|sysfs|devpts|mqueue|cgroup2?|devtmpfs|securityfs|debugfs)$/ {print $2}' /proc/mounts | sort -u); do
  hits=$(find "$mount" -xdev -type f 2>/dev/null | xargs -r grep -l -a -e "$password" -e "$token" \
    -e czNjcjN0LXBhNTU= -e dG9rLTQ3MTEtbmV2ZXItaW4tYW4taW1hZ2U= 2>/dev/null)
  [ -z "$hits" ] || found="$found $hits"
done
check disks "the values on the container's non-memory filesystems" "${found:-none}" none
