# runs-in: web watcher
# web: its postStart hook ran (it runs beside the entrypoint, so it may finish a moment after
# this check starts). watcher (the sidecar, stopped after web at shutdown): it sees web's preStop
# hook write /shared/prestop.txt while it still runs, and says so; host-checks/lifecycle.sh
# looks for that line after `down`.
case $role in
  web)
    i=0
    while [ ! -s /shared/poststart.txt ] && [ $i -lt 50 ]; do sleep 0.2; i=$((i + 1)); done
    if [ "$(cat /shared/poststart.txt 2>/dev/null)" = started ]; then
      pass "the postStart hook ran in this container → /shared/poststart.txt: started"
    else
      fail "no /shared/poststart.txt from the postStart hook within 10 s"
    fi
    if [ ! -e /shared/prestop.txt ]; then
      pass "no preStop before the shutdown → /shared/prestop.txt absent"
    else
      fail "/shared/prestop.txt exists before any shutdown"
    fi
    ;;
  watcher)
    pass "the sidecar watches /shared for web's preStop hook → watching"
    (
      while [ ! -e /shared/prestop.txt ]; do sleep 0.2; done
      sleep 0.2
      pass "web's preStop hook ran while the sidecar still ran → /shared/prestop.txt: $(cat /shared/prestop.txt)"
    ) &
    ;;
esac
