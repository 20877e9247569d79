# runs-in: bind
# A non-root process given NET_BIND_SERVICE (capabilities.add) holds exactly that one
# capability, through execve (ambient), and binds a port below 1024.
cap_eff=$(sed -n 's/^CapEff:\t*//p' /proc/self/status)
bind=$(/tools/attack-tool bind 80)
if [ "$cap_eff" = 0000000000000400 ] && [ "$bind" = bound ]; then
  pass "CapEff $cap_eff, bind :80 → $bind"
else
  fail "CapEff $cap_eff (want 0000000000000400), bind :80 → $bind"
fi
