# runs-in: nonroot
# A non-root process holds no capability unless the manifest adds one (Kubernetes, containerd):
# with runAsUser 1000 and the defaults, CapEff is 0 and setuid(0) fails.
cap_eff=$(sed -n 's/^CapEff:\t*//p' /proc/self/status)
setuid=$(/tools/attack-tool setuid0)
if [ "$cap_eff" = 0000000000000000 ] && [ "$setuid" = EPERM ]; then
  pass "CapEff $cap_eff, setuid(0) → $setuid"
else
  fail "CapEff $cap_eff, setuid(0) → $setuid"
fi
