# runs-in: root nonroot
# The agent's endpoints (port 8089: /logs shows every container's output) are refused to
# containers on every address (issue 15, item 9).
got=""
for address in 127.0.0.1 10.0.2.15 ::1; do
  got="$got $(/tools/attack-tool connect "$address" 8089 3)"
done
got=${got# }
if [ "$got" = "EPERM EPERM EPERM" ]; then
  pass "GET /logs from 127.0.0.1:8089, 10.0.2.15:8089, [::1]:8089 → connect $got"
else
  fail "GET /logs from 127.0.0.1:8089, 10.0.2.15:8089, [::1]:8089 → connect $got"
fi
