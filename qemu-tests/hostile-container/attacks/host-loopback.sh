# runs-in: root
# Under `run`, QEMU's 10.0.2.2 is the developer's 127.0.0.1 (databases, a Docker socket, other
# VMs' agents): refused to containers (issue 15, item 7). test.sh listens on the host's
# 127.0.0.1:18099 and checks that nothing reached it.
got="$(/tools/attack-tool connect 10.0.2.2 18099 3) $(/tools/attack-tool connect 10.0.2.2 22 3)"
if [ "$got" = "EPERM EPERM" ]; then
  pass "connect 10.0.2.2:18099 (a host loopback listener), 10.0.2.2:22 → $got"
else
  fail "connect 10.0.2.2:18099 (a host loopback listener), 10.0.2.2:22 → $got"
fi
