# shellcheck shell=bash
# The NodePort Service shop-web (port 80 → the container port named http, nodePort 30095) is
# published on the host's 127.0.0.1:30095 and answered by shop's web container (busybox httpd
# on 8080), balanced across shop's replicas.
host_check_nodeport() {
  local code ps_line
  code=$(curl -s -m 10 -o /dev/null -w '%{http_code}' http://127.0.0.1:30095/ || true)
  # busybox httpd names itself in no header, so `ps` says whose balancer answers there.
  ps_line=$("$host" ps 2>/dev/null | grep -E '^shop' | grep -o '127.0.0.1:30095->8080/tcp' | head -n 1 || true)
  if [[ $code == 200 ]]; then
    echo "PASS nodeport: curl 127.0.0.1:30095 → HTTP $code"
  else
    echo "FAIL nodeport: curl 127.0.0.1:30095 → HTTP ${code:-none}, want 200"
  fi
  if [[ -n $ps_line ]]; then
    echo "PASS nodeport: i2kit-host ps shows shop publishing → $ps_line"
  else
    echo "FAIL nodeport: i2kit-host ps shows no 127.0.0.1:30095->8080/tcp for shop: $("$host" ps 2>&1 | head -n 5 | tr '\n' '|')"
  fi
}
