#!/usr/bin/env bash
# The bash and zsh completions (host-cli/completion/) against the built i2kit-host: verbs,
# a verb's flags, and the local deployments' names, never the controllers' directory.
# Usage: completion_test.sh I2KIT_HOST BASH_COMPLETION ZSH_COMPLETION
set -euo pipefail
[[ -x $1 ]] || { echo "FAIL: no i2kit-host at $1 (build it first)" >&2; exit 1; }
host=$(realpath "$1")
script=$2
zsh_script=$3
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
echo "completion (bash): verbs, flags and deployment names"

# zsh: the same, through the completion file loaded as zsh autoloads it, with compadd and _files standing in for the
# completion system's (functions come before builtins in zsh), so no terminal is needed.
zsh_complete() {
  zsh -f -c '
    compadd() { [[ $1 == -a ]] && print -l -- ${(P)2} }
    _files() { print -- "<files>" }
    script=$1; shift
    words=("$@"); CURRENT=$#words; PREFIX=${words[-1]}
    source "$script"' zsh "$zsh_script" "$@"
}
zverbs=$(zsh_complete i2kit-host "")
for verb in run ps logs down exec deploy; do
  grep -qx "$verb" <<<"$zverbs" || fail "zsh: verbs lack $verb: $zverbs"
done
zflags=$(zsh_complete i2kit-host logs -)
for flag in --since --timestamps -c --container; do
  grep -qx -- "$flag" <<<"$zflags" || fail "zsh: logs flags lack $flag: $zflags"
done
[[ $(zsh_complete i2kit-host logs "") == $'api\nweb' ]] || fail "zsh: logs names are '$(zsh_complete i2kit-host logs "")'"
[[ $(zsh_complete i2kit-host down "") == $'api\nweb\n<files>' ]] || fail "zsh: down offers '$(zsh_complete i2kit-host down "")'"
echo "completion (zsh): verbs, flags, deployment names and files"
