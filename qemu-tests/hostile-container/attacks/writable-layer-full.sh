# runs-in: filler
# Filling the writable layer stops at the layer's own size limit (a tmpfs of its own), not at
# the VM's memory or PID 1's /run; the file stays, so that the layer container restarts beside
# a full one (writable-layer-fresh).
result=$(/tools/attack-tool fill /fill)
case $result in
  ENOSPC*) pass "write /fill until it fails → $result" ;;
  *) fail "write /fill until it fails → $result" ;;
esac
