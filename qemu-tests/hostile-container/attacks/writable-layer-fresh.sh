# runs-in: layer
# What a container writes is gone when it restarts: every start gets a fresh writable layer.
# The first start writes /marker and /kill-me, which fails the container's liveness probe; the
# next start must find neither and still write (the filler container has filled its own layer
# by then: that leaves this one's alone). The witness container counts the starts.
start=ECONNREFUSED
for _ in $(seq 30); do
  start=$(/tools/attack-tool count 7070)
  [ "$start" = ECONNREFUSED ] || break
  sleep 1
done
if [ "$start" = 0 ]; then
  { echo written >/marker && : >/kill-me; } 2>/dev/null ||
    fail "write /marker on the first start → cannot"
elif [ -e /marker ]; then
  fail "write /marker, get killed by the liveness probe → start $start still has it"
elif echo again 2>/dev/null >/marker; then
  pass "write /marker, get killed by the liveness probe → start $start has a fresh layer"
else
  fail "write after a restart (start $start) → cannot"
fi
