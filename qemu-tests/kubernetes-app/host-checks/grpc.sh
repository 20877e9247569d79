# shellcheck shell=bash
# cart has no probe but gRPC ones: it is ready only because its readiness probe, a gRPC health
# check of the server as a whole, succeeded; its liveness probe (service "cart") never failed.
# The agent's /status says each probe's kind and its consecutive results.
host_check_grpc() {
  local record="$XDG_STATE_HOME/i2kit/cart/0/replica.json" port status
  port=$(jq -r .agentPort "$record") || fail "grpc: no agentPort in $record"
  status=$(curl -fsS -m 5 "http://127.0.0.1:$port/status") || fail "grpc: GET /status of cart"
  jq -e '.ready' <<<"$status" >/dev/null || fail "grpc: cart is not ready: $status"
  jq -e '.containers[0].probes[] | select(.type == "readiness")
         | .action == "grpc" and .successes >= 1 and .failures == 0' <<<"$status" >/dev/null ||
    fail "grpc: cart's readiness is not a passing gRPC probe: $status"
  echo "PASS grpc: cart is ready through its gRPC readiness probe → $(jq -c \
    '.containers[0].probes[] | select(.type == "readiness")' <<<"$status")"
  # The liveness probe runs every 5 s; within 12 s it has asked at least once.
  local deadline=$((SECONDS + 12)) liveness
  while :; do
    status=$(curl -fsS -m 5 "http://127.0.0.1:$port/status") || fail "grpc: GET /status of cart"
    liveness=$(jq -c '.containers[0].probes[] | select(.type == "liveness")' <<<"$status")
    jq -e '.action == "grpc" and .successes >= 1' <<<"$liveness" >/dev/null && break
    ((SECONDS < deadline)) || fail "grpc: cart's gRPC liveness probe never passed: $status"
    sleep 1
  done
  jq -e '.failures == 0 and ('"$(jq '.containers[0].restarts' <<<"$status")"' == 0)' \
    <<<"$liveness" >/dev/null || fail "grpc: cart's liveness probe failed or it restarted: $status"
  echo "PASS grpc: the gRPC liveness probe of service \"cart\" passes, no restart → $liveness"
}
