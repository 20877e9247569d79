# shellcheck shell=bash
# Sourced by the benchmark scripts: each prints its figures as the Markdown section
# docs/benchmarks.md holds, and with --doc also writes them there, so the document shows what
# the last run of the script measured and never a figure typed by hand.
#
# A section lies between two marker lines, `<!-- begin: NAME -->` and `<!-- end: NAME -->`,
# NAME being the script's file name; the lines between are replaced, everything else is kept.

# benchmark_doc_write NAME FILE: replaces section NAME of FILE with standard input. Fails,
# changing nothing, when FILE lacks either marker.
benchmark_doc_write() {
  local name=$1 file=$2 section
  section=$(mktemp)
  cat >"$section"
  if ! grep -qxF "<!-- begin: $name -->" "$file" || ! grep -qxF "<!-- end: $name -->" "$file"; then
    echo "benchmark: $file has no section '$name' (<!-- begin: $name --> … <!-- end: $name -->)" >&2
    rm -f "$section"
    return 1
  fi
  awk -v begin="<!-- begin: $name -->" -v end="<!-- end: $name -->" -v section="$section" '
    $0 == begin { print; while ((getline line < section) > 0) print line; skipping = 1; next }
    $0 == end { skipping = 0 }
    !skipping { print }
  ' "$file" >"$file.new" && mv "$file.new" "$file"
  rm -f "$section"
}

# benchmark_doc_header SCRIPT [ARG...]: the line that opens every generated section: the command
# that regenerates it and the machine it ran on (figures depend on both).
benchmark_doc_header() {
  local script=$1
  shift
  # shellcheck disable=SC2016 # the backticks are Markdown's
  printf 'Regenerate: `%s --doc%s` (last run %s UTC: %s cores, load average %s, QEMU %s).\n\n' \
    "$script" "${*:+ $*}" "$(date -u '+%Y-%m-%d %H:%M')" "$(nproc)" \
    "$(cut -d' ' -f1-3 /proc/loadavg)" "$(qemu-system-x86_64 --version | head -1 | awk '{print $4}')"
}
