# runs-in: probed
# An exec probe that outlives its timeout is killed in the container, not only its `runc exec`
# (which, killed alone, leaves the process running). The container's liveness probe writes its
# pid to /probe-pids and sleeps; the agent must kill it 45 s + 1 s after the probe began (a
# long timeout, so that it is seen alive under TCG first).
pid=
for _ in $(seq 120); do
  pid=$(head -n 1 /probe-pids 2>/dev/null)
  [ -n "$pid" ] && break
  sleep 1
done
# Seen alive first, so that a pid read wrongly cannot pass as one that died.
alive=no
state=none
for _ in $(seq 90); do
  state=$(sed -n 's/^State:[[:space:]]*//p' "/proc/$pid/status" 2>/dev/null)
  case $state in "" | Z*) break ;; esac
  alive=yes
  sleep 1
done
if [ -z "$pid" ] || [ $alive = no ]; then
  fail "wait for the exec probe's process → never saw it running (pid '$pid')"
else
  case $state in
    "" | Z*) pass "exec probe 'sleep 1000' (timeout 45 s) → pid $pid killed in the container" ;;
    *) fail "exec probe 'sleep 1000' (timeout 45 s) → pid $pid still ${state%% *} after 90 s more" ;;
  esac
fi
