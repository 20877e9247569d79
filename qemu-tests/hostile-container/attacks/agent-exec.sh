# runs-in: root nonroot
# The agent's exec server (port 8090: runs commands in any container of the Pod) is refused to
# containers on every address, as its health port is; its key is never the only guard.
got=""
for address in 127.0.0.1 10.0.2.15 ::1; do
  got="$got $(/tools/attack-tool connect "$address" 8090 3)"
done
got=${got# }
if [ "$got" = "EPERM EPERM EPERM" ]; then
  pass "exec request to 127.0.0.1:8090, 10.0.2.15:8090, [::1]:8090 → connect $got"
else
  fail "exec request to 127.0.0.1:8090, 10.0.2.15:8090, [::1]:8090 → connect $got"
fi
