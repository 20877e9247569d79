# A two-Deployment app written as a Kubernetes user writes it (app.yml: Namespace,
# ServiceAccount, ConfigMap, Secret, an init container and a sidecar sharing an emptyDir, every
# volume kind, valueFrom and envFrom, fsGroup, hooks, gRPC probes, a NodePort Service) runs
# unchanged; each checks/NAME.sh runs inside the containers its "# runs-in:" header names and
# prints "PASS NAME: …" or "FAIL NAME: …"; host-checks/NAME.sh check from outside, and after
# `down`. The test fails on any FAIL and on a check that printed nothing.
# shellcheck shell=bash
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
roles=(web watcher)

# The test image: a static busybox, the checks, run-checks and whatever tools/build.sh makes.
rootfs="$work/checks-root"
busybox_root "$rootfs"
mkdir -p "$rootfs"/{checks,tools,www}
echo "the shop" >"$rootfs/www/index.html"
install -m 0755 "$here/tools/run-checks" "$rootfs/tools/run-checks"
for script in "$here"/checks/*.sh; do
  [[ -e $script ]] && install -m 0644 "$script" "$rootfs/checks/"
done
if [[ -x $here/tools/build.sh ]]; then
  "$here/tools/build.sh" "$work/tools" >"$work/tools.log" 2>&1 || {
    cat "$work/tools.log" >&2
    fail "tools/build.sh"
  }
  cp -a "$work/tools/." "$rootfs/tools/"
fi
oci_image checks "$rootfs" '{"Entrypoint": ["/bin/sh", "/tools/run-checks"], "Env": ["PATH=/bin"], "WorkingDir": "/"}'

# What each check must print: "ROLE CHECK" pairs from the scripts' headers.
expected=()
for script in "$here"/checks/*.sh; do
  [[ -e $script ]] || continue
  check=$(basename "$script" .sh)
  where=$(sed -n 's/^# runs-in: *//p' "$script")
  [[ -n $where ]] || fail "$script has no '# runs-in:' line"
  for role in $where; do
    [[ " ${roles[*]} " == *" $role "* ]] || fail "$script runs in '$role', which the shop has not"
    expected+=("$role $check")
  done
done

sed "s|CHECKS_IMAGE|oci:$work/images/checks:latest|" "$here/app.yml" >"$work/app.yml"
(cd "$work" && "$host" validate app.yml) || fail "validate app.yml"
(cd "$work" && "$host" build app.yml --agent "$agent" >"$work/build.log" 2>&1) ||
  { cat "$work/build.log" >&2; fail "build app.yml"; }
build="$work/i2kit-out"
started+=(shop cart)
(cd "$work" && "$host" run app.yml -d --accel "${I2KIT_TEST_ACCEL:-tcg}" --timeout 240) ||
  fail "run app.yml"

# Waits until every expected check has printed its lines (TCG on a busy host is slow).
deadline=$((SECONDS + 240))
while true; do
  log=$("$host" logs shop 2>/dev/null || true)
  missing=()
  for pair in "${expected[@]}"; do
    read -r role check <<<"$pair"
    grep -qE "(^|[^a-z0-9-])$role(/stderr)?: (PASS|FAIL) $check:" <<<"$log" ||
      missing+=("$check (in $role)")
  done
  ((${#missing[@]} == 0 || SECONDS >= deadline)) && break
  sleep 2
done
grep -E ': (PASS|FAIL) [a-z0-9-]+:' <<<"$log" |
  sed -E 's/^(.*[^a-z0-9-])?([a-z0-9-]+)(\/stderr)?: (PASS|FAIL) /\4 [\2] /' || true
failed=$(grep -cE ': FAIL [a-z0-9-]+:' <<<"$log" || true)
((${#missing[@]} == 0)) || fail "checks that printed nothing: ${missing[*]}"
((failed == 0)) || fail "$failed check(s) inside the containers failed"

# From outside: each host-checks/NAME.sh defines host_check_NAME and may define
# host_check_NAME_after_down.
areas=()
for script in "$here"/host-checks/*.sh; do
  [[ -e $script ]] || continue
  # shellcheck source=/dev/null
  source "$script"
  areas+=("$(basename "$script" .sh)")
done
for area in "${areas[@]}"; do
  ! declare -F "host_check_$area" >/dev/null || "host_check_$area"
done
"$host" down shop >/dev/null || fail "down shop"
"$host" down cart >/dev/null || fail "down cart"
started=()
for area in "${areas[@]}"; do
  ! declare -F "host_check_${area}_after_down" >/dev/null || "host_check_${area}_after_down"
done
echo "${#expected[@]} checks inside, ${#areas[@]} areas from outside: all passed"
