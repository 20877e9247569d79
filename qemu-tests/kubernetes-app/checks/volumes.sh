# runs-in: web
# The Pod's volumes as app.yml declares them, seen from the web container (uid 1000, fsGroup
# 2000): what the init container left in the emptyDir, sizeLimit, the tmpfs of medium Memory,
# configMap items and modes, a subPath file, an optional missing ConfigMap, the Secret's files
# on a tmpfs, read-only mounts, and the downwardAPI files.
is() {  # is WHAT GOT WANT
  if [ "$2" = "$3" ]; then pass "$1 → $2"; else fail "$1 → '$2', want '$3'"; fi
}
# secret_is WHAT GOT SHA256: as is, but the Secret's value is neither printed nor in the image
# (host-checks/secrets.sh looks for it there): compared by its SHA-256.
secret_is() {
  if [ "$(printf '%s' "$2" | sha256sum | cut -c1-64)" = "$3" ]; then
    pass "$1 → the Secret's value (${#2} bytes)"
  else
    fail "$1 → not the Secret's value (${#2} bytes)"
  fi
}
password_sha256=d9cd6e697a1f5c2ffc41ea8434ddca46ebc62377764772162f08a53aa94fd312  # of the Secret's password (app.yml)
token_sha256=88a9411dcd05f2fce1e5b4c89f19e90905f822a71c8d5296eb2f87e56292e713  # of its api-token
fstype() { stat -f -c %T "$1" 2>&1; }

is "/shared/init.txt from the init container" "$(cat /shared/init.txt 2>&1)" prepared-by-init

# sizeLimit 8Mi: the ninth MiB does not fit.
out=$(dd if=/dev/zero of=/shared/fill bs=1048576 count=9 2>&1)
size=$(stat -c %s /shared/fill 2>/dev/null)
rm -f /shared/fill
case $out in
  *"No space left"*) [ "${size:-0}" -le 8388608 ] && pass "writing 9Mi into /shared (sizeLimit 8Mi) → ENOSPC after $size bytes" ||
    fail "writing 9Mi into /shared → ENOSPC but $size bytes written" ;;
  *) fail "writing 9Mi into /shared (sizeLimit 8Mi) → no ENOSPC: $out" ;;
esac

is "/cache (medium: Memory) filesystem" "$(fstype /cache)" tmpfs
cache_kib=$(df -k /cache | awk 'NR == 2 {print $2}')
[ "${cache_kib:-99999}" -le 4096 ] && pass "/cache size ≤ 4Mi → ${cache_kib} KiB" ||
  fail "/cache size ≤ 4Mi → ${cache_kib} KiB"

is "/etc/shop/conf/app.properties content" "$(cat /etc/shop/conf/app.properties 2>&1)" "color=blue
size=3"
is "/etc/shop/conf/app.properties mode (item mode 0440)" "$(stat -c %a /etc/shop/conf/app.properties)" 440
is "/etc/shop holds only the item" "$(ls /etc/shop 2>&1 | tr '\n' ' ')" "conf "
is "/etc/greeting.txt via subPath" "$(cat /etc/greeting.txt 2>&1)" "hello from a ConfigMap"
is "/etc/greeting.txt is a file" "$(stat -c %F /etc/greeting.txt 2>&1)" "regular file"
is "/etc/missing (optional, no such ConfigMap) is an empty directory" \
  "$(stat -c %F /etc/missing 2>&1) [$(ls -A /etc/missing 2>&1)]" "directory []"

secret_is "/var/run/secrets/shop/password content" "$(cat /var/run/secrets/shop/password 2>&1)" "$password_sha256"
# defaultMode 0400, and fsGroup adds group read as the kubelet does: 0440, group 2000.
is "/var/run/secrets/shop/password mode (0400 + fsGroup's g+r)" \
  "$(stat -c %a /var/run/secrets/shop/password)" 440
is "/var/run/secrets/shop filesystem (never a disk)" "$(fstype /var/run/secrets/shop)" tmpfs
secret_is "/var/run/secrets/shop/api-token content" "$(cat /var/run/secrets/shop/api-token 2>&1)" \
  "$token_sha256"

for path in /etc/shop/x /var/run/secrets/shop/x /etc/podinfo/x /etc/missing/x; do
  if touch "$path" 2>/dev/null; then
    fail "writing $path (read-only mount) → it was written"
  else
    pass "writing $path (read-only mount) → refused"
  fi
done
if echo x 2>/dev/null >/etc/greeting.txt; then
  fail "writing /etc/greeting.txt (a configMap subPath) → it was written"
else
  pass "writing /etc/greeting.txt (a configMap subPath) → refused"
fi
if echo x >/shared/written-by-web 2>/dev/null; then
  pass "writing /shared (emptyDir) as uid $(id -u) → written"
  rm -f /shared/written-by-web
else
  fail "writing /shared (emptyDir) as uid $(id -u) → refused"
fi

is "/etc/podinfo/labels" "$(cat /etc/podinfo/labels 2>&1)" 'app="shop"
tier="web"'
is "/etc/podinfo/name (the Pod's hostname)" "$(cat /etc/podinfo/name 2>&1)" "$(hostname)"
is "/etc/podinfo/namespace" "$(cat /etc/podinfo/namespace 2>&1)" shop
is "/etc/podinfo/mem_limit (limits.memory of web, divisor 1Mi)" "$(cat /etc/podinfo/mem_limit 2>&1)" 64
