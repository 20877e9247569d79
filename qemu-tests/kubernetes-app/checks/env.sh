# runs-in: web
# The web container's environment as app.yml declares it: envFrom with prefixes (every key a
# valid variable name by Kubernetes' rule — letters, digits, '_', '-', '.' — so SEC_api-token
# is set; binaryData is not in envFrom), valueFrom from the ConfigMap, the Secret and the Pod.
is() {  # is WHAT GOT WANT
  if [ "$2" = "$3" ]; then pass "$1 → $2"; else fail "$1 → '$2', want '$3'"; fi
}
# secret_is WHAT GOT SHA256: as is, but the Secret's value is neither printed nor in the image
# (host-checks/secrets.sh looks for it there): compared by its SHA-256.
secret_is() {
  if [ "$(printf '%s' "$2" | sha256sum | cut -c1-64)" = "$3" ]; then
    pass "$1 → the Secret's value (${#2} bytes)"
  else
    fail "$1 → not the Secret's value (${#2} bytes)"
  fi
}
password_sha256=d9cd6e697a1f5c2ffc41ea8434ddca46ebc62377764772162f08a53aa94fd312  # of the Secret's password (app.yml)
token_sha256=88a9411dcd05f2fce1e5b4c89f19e90905f822a71c8d5296eb2f87e56292e713  # of its api-token
# printenv NAME: the value of NAME in the environment runc gave the container's first process
# (this shell, PID 1). Read from /proc/1/environ because sh passes on to its children only the
# variables whose names it can spell (not SEC_api-token), and busybox has no printenv applet.
printenv() {
  tr '\0' '\001' </proc/1/environ | awk -v n="$1" 'BEGIN { RS = "\001" }
    index($0, n "=") == 1 { printf "%s", substr($0, length(n) + 2); found = 1; exit }
    END { exit !found }'
}
unset_() {  # unset_ NAME
  if printenv "$1" >/dev/null; then fail "$1 → set, want unset"; else pass "$1 → unset"; fi
}

is CFG_greeting "$(printenv CFG_greeting)" "hello from a ConfigMap"
is CFG_app.properties "$(printenv CFG_app.properties)" "color=blue
size=3"
unset_ CFG_blob.bin
secret_is SEC_password "$(printenv SEC_password)" "$password_sha256"
secret_is SEC_api-token "$(printenv SEC_api-token)" "$token_sha256"
is GREETING "$(printenv GREETING)" "hello from a ConfigMap"
secret_is PASSWORD "$(printenv PASSWORD)" "$password_sha256"
unset_ MAYBE
is "POD_NAME (the Pod's hostname)" "$(printenv POD_NAME)" "$(hostname)"
is POD_NAMESPACE "$(printenv POD_NAMESPACE)" shop
pod_ip=$(printenv POD_IP)
case " $(ip -4 addr show 2>/dev/null | awk '$1 == "inet" {sub("/.*", "", $2); print $2}' | tr '\n' ' ') " in
  *" $pod_ip "*) [ -n "$pod_ip" ] && pass "POD_IP is the VM's address → $pod_ip" ||
    fail "POD_IP → empty" ;;
  *) fail "POD_IP → '$pod_ip', not among the VM's addresses" ;;
esac
is APP_LABEL "$(printenv APP_LABEL)" shop
is "MEM_LIMIT_MI (64Mi, divisor 1Mi)" "$(printenv MEM_LIMIT_MI)" 64
is "CPU_LIMIT_M (500m, divisor 1m)" "$(printenv CPU_LIMIT_M)" 500
