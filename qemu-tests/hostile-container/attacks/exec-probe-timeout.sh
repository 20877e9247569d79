# runs-in: probed
# An exec probe that outlives its timeout is killed in the container, not only its `runc exec`
# (which, killed alone, leaves the process running). Each attempt of the container's liveness
# probe appends its pid to /probe-pids and sleeps; the agent must kill it 45 s + 1 s after the
# attempt began. Under a loaded TCG host `runc exec` can take most of those 46 s to start the
# process, so an attempt may die before it is seen: the attack watches the first one it sees
# alive (one read wrongly could not pass as one that died), the next attempt's if need be.
pid=
for _ in $(seq 240); do
  last=$(tail -n 1 /probe-pids 2>/dev/null)
  state=$(sed -n 's/^State:[[:space:]]*//p' "/proc/$last/status" 2>/dev/null)
  case $state in
    "" | Z*) sleep 1 ;;
    *) pid=$last && break ;;
  esac
done
if [ -z "$pid" ]; then
  fail "wait for an exec probe's process → never saw one running ($(wc -l </probe-pids 2>/dev/null || echo 0) attempts)"
else
  for _ in $(seq 90); do
    state=$(sed -n 's/^State:[[:space:]]*//p' "/proc/$pid/status" 2>/dev/null)
    case $state in "" | Z*) break ;; esac
    sleep 1
  done
  case $state in
    "" | Z*) pass "exec probe 'sleep 1000' (timeout 45 s) → pid $pid killed in the container" ;;
    *) fail "exec probe 'sleep 1000' (timeout 45 s) → pid $pid still ${state%% *} after 90 s more" ;;
  esac
fi
