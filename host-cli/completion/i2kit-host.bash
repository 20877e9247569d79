# bash completion for i2kit-host: its verbs, each verb's flags and the local deployments' names
# (for ps, logs, exec and down). Verbs and flags are read from i2kit-host's own --help, so
# they never drift from the binary; names from the state directory (host-cli/state_dir.h),
# without asking any VM. Installed by `cmake --install` to share/bash-completion/completions.

_i2kit_host_verbs() {
  "$1" --help 2>/dev/null | awk 'tolower($0) ~ /^subcommands:/ { s = 1; next } s && /^  [a-z]/ { print $1 }'
}

_i2kit_host_flags() {
  "$1" "$2" --help 2>/dev/null | awk '/^ +-/ { print $1 }' | tr ',' '\n' | sort -u
}

_i2kit_host_deployments() {
  local dir=${XDG_STATE_HOME:-$HOME/.local/state}/i2kit entry
  [[ -d $dir ]] || return 0
  for entry in "$dir"/*/; do
    entry=${entry%/}
    entry=${entry##*/}
    # "_controllers" is the controllers' directory, no deployment ('_' is in no DNS label).
    [[ $entry == _* || $entry == '*' ]] || printf '%s\n' "$entry"
  done
}

_i2kit_host() {
  local cur=${COMP_WORDS[COMP_CWORD]} verb="" i
  for ((i = 1; i < COMP_CWORD; i++)); do
    if [[ ${COMP_WORDS[i]} != -* ]]; then
      verb=${COMP_WORDS[i]}
      break
    fi
  done
  local IFS=$'\n'
  if [[ -z $verb ]]; then
    mapfile -t COMPREPLY < <(compgen -W "$(_i2kit_host_verbs "${COMP_WORDS[0]}")"$'\n'"--help"$'\n'"--version" -- "$cur")
    return
  fi
  if [[ $cur == -* ]]; then
    mapfile -t COMPREPLY < <(compgen -W "$(_i2kit_host_flags "${COMP_WORDS[0]}" "$verb")" -- "$cur")
    return
  fi
  case $verb in
    ps | logs | exec)
      mapfile -t COMPREPLY < <(compgen -W "$(_i2kit_host_deployments)" -- "$cur")
      ;;
    down)
      mapfile -t COMPREPLY < <(compgen -W "$(_i2kit_host_deployments)" -- "$cur")
      COMPREPLY+=($(compgen -f -- "$cur"))
      ;;
    *)
      COMPREPLY=($(compgen -f -- "$cur"))
      ;;
  esac
}

complete -F _i2kit_host i2kit-host
