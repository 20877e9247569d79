#!/usr/bin/env bash
# Builds the Pod VM kernel: an x86-64 bzImage from Debian's linux-source-6.1, `make tinyconfig`
# plus the fragments in kernel-configs/. Cached by the hash of its inputs (the fragments, this
# script, the source package's version); a cached kernel is returned without building.
#
# Usage: scripts/build-kernel.sh [--print-path] [--vmlinux] [--out FILE]
#   prints the cached bzImage's path on stdout (progress goes to stderr);
#   --print-path  only print where the kernel is or would be, build nothing;
#   --vmlinux     print instead the same kernel's stripped, uncompressed vmlinux (its PVH entry
#                 lets QEMU boot it directly, faster); --out still copies the bzImage;
#   --out FILE    also copy the bzImage to FILE.
# Needs the packages in scripts/kernel-deps.txt; installs nothing itself.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
self="$repo/scripts/build-kernel.sh"
source_tarball=/usr/src/linux-source-6.1.tar.xz
source_package=linux-source-6.1

log() { printf 'build-kernel: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

print_only=0
print_vmlinux=0
out=""
while (($#)); do
  case "$1" in
    --print-path) print_only=1 ;;
    --vmlinux) print_vmlinux=1 ;;
    --out) (($# >= 2)) || die "--out needs a file name"; out=$2; shift ;;
    -h | --help) sed -n '2,13s/^# \{0,1\}//p' "$self"; exit 0 ;;
    *) die "unknown argument '$1' (see --help)" ;;
  esac
  shift
done

# Sorted so the merge order, and with it the hash, does not depend on the locale.
mapfile -t fragments < <(LC_ALL=C find "$repo/kernel-configs" -maxdepth 1 -name '*.config' | LC_ALL=C sort)
((${#fragments[@]})) || die "no fragments in $repo/kernel-configs"

package_version=$(dpkg-query -W -f='${Version}' "$source_package" 2>/dev/null) ||
  die "$source_package is not installed (apt-get install \$(cat scripts/kernel-deps.txt))"
[[ -r "$source_tarball" ]] || die "$source_tarball missing (reinstall $source_package)"

# File names are hashed with the contents: renaming a fragment changes the merge order.
key=$(
  for f in "${fragments[@]}"; do printf '%s\n' "${f##*/}"; cat "$f"; done
  cat "$self"
  printf '%s %s\n' "$source_package" "$package_version"
) || die "cannot read the build inputs"
key=$(sha256sum <<<"$key" | cut -d' ' -f1)
cache_root="${I2KIT_CACHE_DIR:-${HOME:?}/.cache/i2kit}/kernel"
cache="$cache_root/$key"

deliver() {
  if [[ -n "$out" ]]; then
    # Copy then rename, so FILE is never seen half-written.
    cp "$cache/bzImage" "$out.tmp.$$" || die "cannot write $out.tmp.$$"
    mv -f "$out.tmp.$$" "$out" || die "cannot rename $out.tmp.$$ to $out"
  fi
  printf '%s\n' "$cache/$printed"
}

printed=bzImage
((print_vmlinux)) && printed=vmlinux
if ((print_only)); then
  printf '%s\n' "$cache/$printed"
  exit 0
fi
if [[ -f "$cache/bzImage" ]]; then
  deliver
  exit 0
fi

mkdir -p "$cache_root"
# One builder at a time: a second caller waits, then finds the cache filled. The
# atomic rename below keeps readers safe even without the lock (e.g. on NFS).
exec 9>"$cache_root/.lock"
if ! flock -n 9; then
  log "another build of $key is running; waiting for it"
  flock 9
fi
if [[ -f "$cache/bzImage" ]]; then
  deliver
  exit 0
fi

# Built inside the cache's filesystem so the final rename is atomic.
work=$(mktemp -d "$cache_root/.build.XXXXXX")
trap 'rm -rf "$work"' EXIT
# Turn Ctrl-C and kill into an ordinary exit, so the EXIT trap still removes the work dir.
trap 'exit 130' INT
trap 'exit 143' TERM
src="$work/linux"
build_log="$work/build.log"
fail() {
  log "error: $1; last lines of the log:"
  tail -n 30 "$build_log" >&2
  exit 1
}
# ARCH is explicit so the result does not depend on the host's uname.
kmake() { make -C "$src" ARCH=x86_64 -j"$(nproc)" "$@" >>"$build_log" 2>&1; }

started=$SECONDS
log "building $key (linux $package_version, ${#fragments[@]} fragments, $(nproc) jobs)"
mkdir "$src"
tar -xf "$source_tarball" -C "$src" --strip-components=1 || die "cannot extract $source_tarball"

kmake tinyconfig || fail "make tinyconfig failed"
(cd "$src" && scripts/kconfig/merge_config.sh -m .config "${fragments[@]}") >>"$build_log" 2>&1 ||
  fail "merge_config.sh failed"
kmake olddefconfig || fail "make olddefconfig failed"

# Kconfig silently drops an option whose dependencies are unmet, and a default or a `select`
# can turn one back on: name every requested value the final .config does not have.
dropped=()
while IFS= read -r line; do
  if [[ $line == CONFIG_* ]]; then
    name=${line%%=*}
    grep -qxF -- "$line" "$src/.config" && continue
  else
    name=${line#\# }
    name=${name%% *}
    ! grep -q "^${name}=" "$src/.config" && continue
  fi
  actual=$(grep -E "^(# )?${name}[= ]" "$src/.config" || echo "absent")
  dropped+=("$line (got: $actual)")
done < <(cat "${fragments[@]}" | grep -E '^(CONFIG_[A-Za-z0-9_]+=|# CONFIG_[A-Za-z0-9_]+ is not set$)' | sort -u)
if ((${#dropped[@]})); then
  log "error: ${#dropped[@]} requested options differ in the final .config (unmet dependencies?):"
  printf '  %s\n' "${dropped[@]}" >&2
  exit 1
fi

log "configured in $((SECONDS - started)) s; compiling"
kmake bzImage || fail "make bzImage failed"

mkdir "$work/out"
cp "$src/arch/x86/boot/bzImage" "$work/out/bzImage"
cp "$src/.config" "$work/out/config"
# Without KALLSYMS an oops prints addresses only: System.map turns them back into names.
cp "$src/System.map" "$work/out/System.map"
# The same kernel before compression, for direct (PVH) boot; stripped, the symbols are in System.map.
strip -o "$work/out/vmlinux" "$src/vmlinux" || fail "cannot strip vmlinux"
# Fails only if another builder (without flock) got there first; its result is as good.
mv -T "$work/out" "$cache" 2>/dev/null || [[ -f "$cache/bzImage" ]] || die "cannot install into $cache"

size=$(stat -c %s "$cache/bzImage")
log "built in $((SECONDS - started)) s: bzImage $((size / 1024)) KiB ($size bytes)"
deliver
