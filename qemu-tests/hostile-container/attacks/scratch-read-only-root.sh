# runs-in: root
# An image of one static binary (no /etc at all) with readOnlyRootFilesystem starts and serves:
# the builder gives every root regular /etc/hostname, /etc/hosts and /etc/resolv.conf for runc
# to mount the Pod's over. The scratch container serves its own root on 127.0.0.1:8081; its
# /etc/hostname must be the Pod's.
# (busybox-static's wget crashes: its static glibc cannot load NSS. nc does not look names up.)
answer=
for _ in $(seq 60); do
  answer=$(printf 'GET /etc/hostname HTTP/1.0\r\n\r\n' | nc -w 3 127.0.0.1 8081 2>&1 | tail -n 1)
  case $answer in hostile-*) break ;; esac
  sleep 1
done
case $answer in
  hostile-*) pass "GET :8081/etc/hostname from the scratch container → $answer" ;;
  *) fail "GET :8081/etc/hostname from the scratch container → ${answer:-nothing}" ;;
esac
