# runs-in: root nonroot
# No descriptor of the agent (or of runc) reaches a container: the container's first process
# has only 0, 1 and 2 open, as runc's own tests check.
fds=$(/tools/attack-tool fds)
if [ "$fds" = none ]; then
  pass "walk /proc/self/fd → only 0, 1, 2"
else
  fail "walk /proc/self/fd → also $fds"
fi
