#!/usr/bin/env bash
# Checks that the C++ files (*.cpp, *.h) are as .clang-format wants them, with Debian's
# clang-format (the one scripts/install-deps.sh installs: another version formats differently).
# Prints each file that is not, with how many lines clang-format would change from which line,
# and exits 1; `clang-format -i FILE…` fixes them. Changes nothing itself.
# Usage: scripts/check-format.sh            every tracked C++ file (what CI checks)
#        scripts/check-format.sh REF        those changed since REF (committed or not), e.g. main
#        scripts/check-format.sh -- FILE…   the files given (paths from the project's root)
set -euo pipefail
cd "$(dirname "$0")/.."

command -v clang-format >/dev/null || {
  echo "check-format: clang-format missing (apt-get install clang-format)" >&2
  exit 2
}
[[ ${1:-} == -- ]] || git rev-parse --is-inside-work-tree >/dev/null 2>&1 || {
  echo "check-format: not a git checkout: name the files (scripts/check-format.sh -- FILE…)" >&2
  exit 2
}
cpp=('*.cpp' '*.h')
if [[ ${1:-} == -- ]]; then
  files=("${@:2}")
elif (($#)); then
  # Added, copied, modified or renamed since REF's merge base; deleted files need no format.
  base=$(git merge-base "$1" HEAD)
  mapfile -t files < <(git diff --name-only --diff-filter=ACMR "$base" -- "${cpp[@]}")
else
  mapfile -t files < <(git ls-files -- "${cpp[@]}")
fi
if ((${#files[@]} == 0)); then
  echo "check-format: no C++ files to check"
  exit 0
fi

# clang-format --dry-run names each line it would change ("FILE:LINE:COL: error: code should be
# clang-formatted"). One process (~2 s of CPU for the whole tree): parallel ones would interleave
# their reports mid-line.
report=$(printf '%s\0' "${files[@]}" | xargs -0 clang-format --dry-run --Werror 2>&1 >/dev/null) &&
  status=0 || status=$?
if ((status == 0)); then
  echo "check-format: ${#files[@]} C++ files formatted as .clang-format says ($(clang-format --version | grep -o 'version [0-9.]*'))"
  exit 0
fi
# Not a format report (clang-format could not run, or a file is missing): shown as it is.
if ! grep -q 'code should be clang-formatted' <<<"$report"; then
  printf '%s\n' "$report" >&2
  exit 2
fi
mapfile -t bad < <(grep -o '^[^:]*:[0-9]*:[0-9]*: .*code should be clang-formatted' <<<"$report" | cut -d: -f1 | sort -u)
echo "check-format: ${#bad[@]} of ${#files[@]} C++ files are not formatted as .clang-format says:" >&2
for f in "${bad[@]}"; do
  lines=$(awk -F: -v f="$f" '$1 == f && /code should be clang-formatted/ { print $2 }' <<<"$report" | sort -nu)
  echo "  $f: $(wc -l <<<"$lines") lines, from line $(head -1 <<<"$lines")" >&2
done
echo "fix with: clang-format -i ${bad[*]:0:3}$( ((${#bad[@]} > 3)) && echo " …")" >&2
exit 1
