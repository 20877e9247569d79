# runs-in: web watcher
# The init container `prepare` ran to completion before the sidecar and the app container
# started (what it wrote is there, whole); the sidecar `watcher` runs beside `web`.
if [ "$(cat /shared/init.txt 2>/dev/null)" = prepared-by-init ]; then
  pass "the init container completed before this container started → /shared/init.txt: $(cat /shared/init.txt)"
else
  fail "no complete /shared/init.txt from the init container → '$(cat /shared/init.txt 2>&1)'"
fi
case $role in
  watcher)
    # Written as this sidecar starts; web looks for it.
    date +%s >/shared/watcher.started
    pass "the sidecar started after the init container → init.time $(cat /shared/init.time), now $(date +%s)"
    ;;
  web)
    # The sidecar started before web (web starts once it has); its check script may still be
    # writing, so this waits a little.
    i=0
    while [ ! -s /shared/watcher.started ] && [ $i -lt 50 ]; do sleep 0.2; i=$((i + 1)); done
    if [ -s /shared/watcher.started ]; then
      pass "the sidecar runs beside the app container → watcher.started $(cat /shared/watcher.started)"
    else
      fail "the sidecar wrote no /shared/watcher.started within 10 s"
    fi
    ;;
esac
