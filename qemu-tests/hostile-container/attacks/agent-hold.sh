# runs-in: nonroot
# 100 connections held open to the agent's port would take every slot of its server and
# starve the balancer's health checks (issue 15, item 9): none gets through. test.sh checks
# from the host that the Pod stays ready meanwhile.
got=$(/tools/attack-tool hold 100 10.0.2.15 8089 20)
if [ "$got" = "held 0, EPERM 100" ]; then
  pass "hold 100 connections to 10.0.2.15:8089 → $got"
else
  fail "hold 100 connections to 10.0.2.15:8089 → $got"
fi
