#!/usr/bin/env bash
# The bash completion (host-cli/completion/i2kit-host.bash) against the built i2kit-host: verbs,
# a verb's flags, and the local deployments' names, never the controllers' directory.
# Usage: completion_test.sh I2KIT_HOST COMPLETION_SCRIPT
set -euo pipefail
[[ -x $1 ]] || { echo "FAIL: no i2kit-host at $1 (build it first)" >&2; exit 1; }
host=$(realpath "$1")
script=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/bin" "$work/state/i2kit/web/0" "$work/state/i2kit/api/0" "$work/state/i2kit/_controllers"
ln -s "$host" "$work/bin/i2kit-host"
export PATH="$work/bin:$PATH" XDG_STATE_HOME="$work/state"
# shellcheck source=/dev/null
source "$script"

complete_line() {
  COMP_WORDS=("$@")
  COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
  COMPREPLY=()
  _i2kit_host
  printf '%s\n' "${COMPREPLY[@]}"
}
fail() {
  echo "FAIL: $*" >&2
  exit 1
}

verbs=$(complete_line i2kit-host "")
for verb in run ps logs down exec deploy; do
  grep -qx "$verb" <<<"$verbs" || fail "verbs lack $verb: $verbs"
done
[[ $(complete_line i2kit-host ex) == exec ]] || fail "'ex' does not complete to exec"
flags=$(complete_line i2kit-host ps -)
for flag in -w --watch -o --output; do
  grep -qx -- "$flag" <<<"$flags" || fail "ps flags lack $flag: $flags"
done
grep -qx -- --tty <<<"$(complete_line i2kit-host exec -)" || fail "exec flags lack --tty"
names=$(complete_line i2kit-host logs "")
[[ $names == $'api\nweb' ]] || fail "logs names are '$names'"
[[ $(complete_line i2kit-host exec -it w) == web ]] || fail "exec -it w does not complete to web"
echo "completion: verbs, flags and deployment names"
