# runs-in: layer
# 5,000 queries for names nobody answers, sent to the Pod's resolver at once: it relays at most
# 128 at a time, so PID 1 keeps descriptors to start containers with (issue 15, item 8), and
# it still answers afterwards (the Pod's own name, from the local service directory). It runs
# in the layer container before writable-layer-fresh has that container killed: the restart
# that attack needs comes after the flood, so its PASS also shows that PID 1 still starts a
# crashed container.
got=$(/tools/attack-tool dns-flood 5000 hostile)
if [ "$got" = "sent 5000, then hostile answered" ]; then
  pass "5000 queries to 127.0.0.53:53 → $got"
else
  fail "5000 queries to 127.0.0.53:53 → $got"
fi
