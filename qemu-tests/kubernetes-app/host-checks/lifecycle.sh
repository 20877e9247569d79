# shellcheck shell=bash
# The order the agent reports on shop's console: the init container completed, then the sidecar
# started, then web, whose postStart hook ran; at `down`, web's preStop hook ran before its
# SIGTERM and the sidecar, stopped after web, saw what the hook wrote.

# line_of LOG PATTERN: the number of the first line of LOG matching PATTERN (grep -E), or fails.
line_of() {
  local n
  n=$(grep -nE "$2" <<<"$1" | head -n 1 | cut -d: -f1)
  [[ -n $n ]] || fail "lifecycle: shop's console has no line matching '$2'"
  echo "$n"
}

host_check_lifecycle() {
  local log init sidecar web
  log=$("$host" logs shop)
  init=$(line_of "$log" 'i2kit-agent: init container prepare completed')
  sidecar=$(line_of "$log" 'i2kit-agent: sidecar container watcher started')
  web=$(line_of "$log" 'i2kit-agent: container web started')
  ((init < sidecar && sidecar < web)) ||
    fail "lifecycle: not prepare, then watcher, then web (lines $init, $sidecar, $web)"
  echo "PASS lifecycle: the init container completed, then the sidecar started, then web → console lines $init < $sidecar < $web"
  line_of "$log" 'i2kit-agent: container web: postStart hook done' >/dev/null
  echo "PASS lifecycle: web's postStart hook ran to its end → console"
  # `down` removes the replica's state, its console with it: follow the console through the
  # shutdown for the check after it.
  "$host" logs shop -f >"$work/lifecycle-shop-console.log" 2>/dev/null &
  lifecycle_follower=$!
}

host_check_lifecycle_after_down() {
  local log hook term web watcher i
  for ((i = 0; i < 20; i++)); do
    kill -0 "$lifecycle_follower" 2>/dev/null || break
    sleep 0.5
  done
  kill "$lifecycle_follower" 2>/dev/null || true
  log=$(cat "$work/lifecycle-shop-console.log")
  hook=$(line_of "$log" 'i2kit-agent: container web: preStop hook \(exec\) started')
  term=$(line_of "$log" 'i2kit-agent: container web: preStop hook done, SIGTERM')
  web=$(line_of "$log" 'i2kit-agent: container web stopped')
  watcher=$(line_of "$log" 'i2kit-agent: container watcher stopped')
  ((hook < term && term < web && web < watcher)) ||
    fail "lifecycle: not preStop, SIGTERM, web stopped, watcher stopped (lines $hook, $term, $web, $watcher)"
  echo "PASS lifecycle: at down, web's preStop hook ran, then its SIGTERM; the sidecar stopped after web → console lines $hook < $term < $web < $watcher"
  grep -qE "watcher: PASS lifecycle: web's preStop hook ran" <<<"$log" ||
    fail "lifecycle: the sidecar never saw /shared/prestop.txt"
  echo "PASS lifecycle: the sidecar saw what web's preStop hook wrote → $(grep -oE "PASS lifecycle: web's preStop.*" <<<"$log" | head -n 1)"
}
