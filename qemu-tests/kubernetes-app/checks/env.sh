# runs-in: web
# The web container's environment as app.yml declares it: envFrom with prefixes (every key a
# valid variable name by Kubernetes' rule — letters, digits, '_', '-', '.' — so SEC_api-token
# is set; binaryData is not in envFrom), valueFrom from the ConfigMap, the Secret and the Pod.
is() {  # is WHAT GOT WANT
  if [ "$2" = "$3" ]; then pass "$1 → $2"; else fail "$1 → '$2', want '$3'"; fi
}
unset_() {  # unset_ NAME: printenv finds names that sh cannot spell
  if printenv "$1" >/dev/null; then fail "$1 → set, want unset"; else pass "$1 → unset"; fi
}

is CFG_greeting "$(printenv CFG_greeting)" "hello from a ConfigMap"
is CFG_app.properties "$(printenv CFG_app.properties)" "color=blue
size=3"
unset_ CFG_blob.bin
is SEC_password "$(printenv SEC_password)" s3cr3t-pa55
is SEC_api-token "$(printenv SEC_api-token)" tok-4711-never-in-an-image
is GREETING "$(printenv GREETING)" "hello from a ConfigMap"
is PASSWORD "$(printenv PASSWORD)" s3cr3t-pa55
unset_ MAYBE
is "POD_NAME (the Pod's hostname)" "$(printenv POD_NAME)" "$(hostname)"
is POD_NAMESPACE "$(printenv POD_NAMESPACE)" shop
pod_ip=$(printenv POD_IP)
case " $(ip -4 -o addr show 2>/dev/null | awk '{sub("/.*", "", $4); print $4}' | tr '\n' ' ') " in
  *" $pod_ip "*) [ -n "$pod_ip" ] && pass "POD_IP is the VM's address → $pod_ip" ||
    fail "POD_IP → empty" ;;
  *) fail "POD_IP → '$pod_ip', not among the VM's addresses" ;;
esac
is APP_LABEL "$(printenv APP_LABEL)" shop
is "MEM_LIMIT_MI (64Mi, divisor 1Mi)" "$(printenv MEM_LIMIT_MI)" 64
is "CPU_LIMIT_M (500m, divisor 1m)" "$(printenv CPU_LIMIT_M)" 500
