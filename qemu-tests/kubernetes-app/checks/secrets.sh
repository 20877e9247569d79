# runs-in: web
# The Secret shop-secret's values (env.sh and volumes.sh check that they arrived) are on no
# disk the container can see: only in memory (tmpfs), never in its image. The values are read
# from the secret volume here, so that this script, which is in the image, does not hold them.
dir=/var/run/secrets/shop
check() {  # check WHAT GOT WANT
  if [ "$2" = "$3" ]; then echo "PASS secrets: $1 → $2"; else echo "FAIL secrets: $1 → got '$2', want '$3'"; fi
}
# The volume's files live in memory: the mount's source is a tmpfs.
fstype=$(awk -v m="$dir" '$2 == m {t = $3} END {print t}' /proc/mounts)
check "the filesystem of $dir" "$fstype" tmpfs

password=$(cat $dir/password)
token=$(cat $dir/api-token)
check "the values to look for" "${#password} and ${#token} bytes" "11 and 26 bytes"
# Every filesystem the container sees that is not memory (its image's EROFS, …) holds neither
# value nor its base64.
found=""
for mount in $(awk '$3 !~ /^(tmpfs|proc|sysfs|devpts|mqueue|cgroup2?|devtmpfs|securityfs|debugfs)$/ {print $2}' /proc/mounts | sort -u); do
  hits=$(find "$mount" -xdev -type f 2>/dev/null | xargs -r grep -l -a -F -e "$password" -e "$token" \
    -e "$(printf %s "$password" | base64)" -e "$(printf %s "$token" | base64)" 2>/dev/null)
  [ -z "$hits" ] || found="$found $hits"
done
check "the values on the container's non-memory filesystems" "${found:-none}" none
