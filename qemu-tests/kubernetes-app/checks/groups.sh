# runs-in: web
# fsGroup 2000 and supplementalGroups [3000]: the web process (runAsUser 1000, runAsGroup
# 1000) has both groups, and the volumes the agent made belong to group 2000 with setgid
# directories, so what anyone writes there belongs to 2000 too.
is() {  # is WHAT GOT WANT
  if [ "$2" = "$3" ]; then pass "$1 → $2"; else fail "$1 → '$2', want '$3'"; fi
}

is "uid:gid" "$(id -u):$(id -g)" 1000:1000
groups=" $(id -G) "
for gid in 2000 3000; do
  case $groups in
    *" $gid "*) pass "id -G has $gid (fsGroup, supplementalGroups) →$groups" ;;
    *) fail "id -G has $gid (fsGroup, supplementalGroups) →$groups" ;;
  esac
done
is "/shared (emptyDir) group and mode" "$(stat -c '%g %a' /shared)" "2000 2777"
is "/cache (emptyDir, Memory) group and mode" "$(stat -c '%g %a' /cache)" "2000 2777"
is "/shared/init.txt (written by the init container as root) group" "$(stat -c %g /shared/init.txt)" 2000
echo x >/shared/groups-probe && is "a file web creates in /shared: group" "$(stat -c %g /shared/groups-probe)" 2000
rm -f /shared/groups-probe
is "/etc/shop/conf/app.properties group" "$(stat -c %g /etc/shop/conf/app.properties)" 2000
is "/var/run/secrets/shop/password group" "$(stat -c %g /var/run/secrets/shop/password)" 2000
is "/etc/podinfo/name group" "$(stat -c %g /etc/podinfo/name)" 2000
