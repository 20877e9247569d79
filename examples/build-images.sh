#!/usr/bin/env bash
# Builds the example container images without Docker and without a registry,
# from Debian packages only, reproducibly (same inputs -> byte-identical blobs).
#
#   examples/build-images.sh [OUTDIR]      (default: <repo>/build/examples/images)
#
# Output:
#   OUTDIR/busybox-httpd/      OCI image layout, tag "latest" (busybox httpd on :8080, uid 65534)
#   OUTDIR/crasher/            OCI image layout, tag "latest" (prints a line, exits 1 after 1 s)
#   OUTDIR/busybox-httpd.tar   busybox-httpd in docker-archive format (`docker save` layout)
#
# Why the OCI layout is written by hand (tar + gzip + sha256sum + jq) rather than with umoci:
# every byte is then under our control. `umoci repack` stamps its own history entries and
# annotations, and its layer tar follows the staging tree's mtimes/owners; here the layer tar is
# sorted, ustar, numeric owner 0:0, mtime = SOURCE_DATE_EPOCH, gzip -n (no name/time), and the
# JSON is canonical (jq -S -c). skopeo, whose writer does not embed build times, is only used to
# produce the docker-archive from the finished layout, which also checks that the layout parses.
set -euo pipefail

# A fixed default epoch keeps output stable across runs and commits; callers may override it.
SOURCE_DATE_EPOCH="${SOURCE_DATE_EPOCH:-1704067200}" # 2024-01-01T00:00:00Z
export SOURCE_DATE_EPOCH
# Locale/timezone/umask must not leak into sort order, dates or file modes.
export LC_ALL=C TZ=UTC
umask 022

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
outdir="${1:-$repo_root/build/examples/images}"

# --- tools -----------------------------------------------------------------------------------
# Each command we need and the Debian package that provides it (kept in sync with deps.txt).
missing=()
need() { command -v "$1" >/dev/null 2>&1 || missing+=("$2 (for $1)"); }
need tar tar
need gzip gzip
need sha256sum coreutils
need jq jq
need skopeo skopeo
need dpkg-query dpkg
# The busybox must be the *static* one: the image carries no libc. Debian's `busybox` package
# also ships /bin/busybox but dynamically linked, so ask dpkg rather than trusting the path.
busybox=""
if command -v dpkg-query >/dev/null 2>&1 &&
    dpkg-query -W -f='${Status}' busybox-static 2>/dev/null | grep -q 'ok installed'; then
    busybox="$(dpkg-query -L busybox-static | grep -E '^(/usr)?/bin/busybox$' | head -n1)"
fi
[[ -n "$busybox" && -x "$busybox" ]] || missing+=("busybox-static (for a static /bin/busybox)")
if ((${#missing[@]})); then
    echo "build-images.sh: missing tools; install with apt-get install:" >&2
    printf '  %s\n' "${missing[@]}" >&2
    exit 1
fi

# OCI names architectures like Go (amd64, arm64, ...), which matches Debian's for the common ones.
arch="$(dpkg --print-architecture)"
created="$(date -u -d "@$SOURCE_DATE_EPOCH" +%Y-%m-%dT%H:%M:%SZ)"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# --- helpers ---------------------------------------------------------------------------------
# Stores a file as a content-addressed blob in layout $1; prints "sha256:<hex> <size>".
put_blob() {
    local layout="$1" file="$2" hex size
    hex="$(sha256sum "$file" | cut -d' ' -f1)"
    size="$(stat -c %s "$file")"
    mkdir -p "$layout/blobs/sha256"
    cp "$file" "$layout/blobs/sha256/$hex"
    chmod 0644 "$layout/blobs/sha256/$hex"
    echo "sha256:$hex $size"
}

# --- base root filesystem (shared by both images) --------------------------------------------
rootfs="$work/rootfs"
# /dev, /proc, /sys, /tmp exist as empty mount points so a read-only root still works; no device
# nodes or /dev symlinks are shipped (runc must never be steered by an image's own /dev entries).
mkdir -p "$rootfs"/{bin,etc,www,dev,proc,sys,tmp}
chmod 0755 "$rootfs" "$rootfs"/{bin,etc,www,dev,proc,sys}
chmod 1777 "$rootfs/tmp"
install -m 0755 "$busybox" "$rootfs/bin/busybox"
# Only the applets the examples and probes use: a small, explicit surface.
for applet in sh httpd echo sleep cat ls ps env id true false test wget nc kill mkdir rm date \
    hostname uname; do
    ln -s busybox "$rootfs/bin/$applet"
done
printf 'Hello from i2kit\n' >"$rootfs/www/index.html"
chmod 0644 "$rootfs/www/index.html"
# Name the numeric users so `id`, `ps` and httpd logs read well; the images use numbers anyway.
printf 'root:x:0:0:root:/:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n' >"$rootfs/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' >"$rootfs/etc/group"
chmod 0644 "$rootfs/etc/passwd" "$rootfs/etc/group"

# Sorted, fixed-time, numeric 0:0 ustar (no pax atime/ctime records); gzip -n drops name+time.
(cd "$rootfs" && find . -mindepth 1 -printf '%P\0' | sort -z |
    tar --create --no-recursion --null --files-from=- --format=ustar \
        --numeric-owner --owner=0 --group=0 --mtime="@$SOURCE_DATE_EPOCH" -f -) >"$work/layer.tar"
gzip -n -9 -c "$work/layer.tar" >"$work/layer.tar.gz"
diff_id="sha256:$(sha256sum "$work/layer.tar" | cut -d' ' -f1)"

# --- image writer ----------------------------------------------------------------------------
# make_image NAME CONFIG_JSON : writes OUTDIR/NAME as an OCI layout tagged "latest".
make_image() {
    local name="$1" imgconfig="$2" layout layer cfg man
    layout="$work/$name"
    mkdir -p "$layout"
    printf '{"imageLayoutVersion":"1.0.0"}' >"$layout/oci-layout"
    layer="$(put_blob "$layout" "$work/layer.tar.gz")"

    jq -n -S -c --arg created "$created" --arg arch "$arch" --arg diff "$diff_id" \
        --arg by "examples/build-images.sh ($name)" --argjson config "$imgconfig" '{
          created: $created, architecture: $arch, os: "linux", config: $config,
          rootfs: {type: "layers", diff_ids: [$diff]},
          history: [{created: $created, created_by: $by}]
        }' | tr -d '\n' >"$work/$name.config.json"
    cfg="$(put_blob "$layout" "$work/$name.config.json")"

    jq -n -S -c --arg cd "${cfg% *}" --argjson cs "${cfg#* }" \
        --arg ld "${layer% *}" --argjson ls "${layer#* }" '{
          schemaVersion: 2, mediaType: "application/vnd.oci.image.manifest.v1+json",
          config: {mediaType: "application/vnd.oci.image.config.v1+json", digest: $cd, size: $cs},
          layers: [{mediaType: "application/vnd.oci.image.layer.v1.tar+gzip", digest: $ld, size: $ls}]
        }' | tr -d '\n' >"$work/$name.manifest.json"
    man="$(put_blob "$layout" "$work/$name.manifest.json")"

    jq -n -S -c --arg md "${man% *}" --argjson ms "${man#* }" '{
          schemaVersion: 2, mediaType: "application/vnd.oci.image.index.v1+json",
          manifests: [{mediaType: "application/vnd.oci.image.manifest.v1+json", digest: $md,
                       size: $ms, annotations: {"org.opencontainers.image.ref.name": "latest"}}]
        }' | tr -d '\n' >"$layout/index.json"
    chmod 0644 "$layout/oci-layout" "$layout/index.json"

    # Replace the previous output only once the new layout is complete.
    mkdir -p "$outdir"
    rm -rf "${outdir:?}/$name"
    cp -a "$layout" "$outdir/$name"
    echo "built $outdir/$name:latest  manifest ${man% *}"
}

# Non-root (nobody), unprivileged port: the least-privilege shape the guest agent is meant to
# run. A container's PID 1 gets no signal it has no handler for, and httpd has none for
# SIGTERM: the shell traps it, so a clean stop takes a moment, not the whole grace period.
make_image busybox-httpd '{
  "Entrypoint": ["/bin/sh","-c","trap \"exit 0\" TERM; /bin/busybox httpd -f -v -p 8080 -h /www & wait"],
  "ExposedPorts": {"8080/tcp": {}},
  "User": "65534:65534", "WorkingDir": "/", "Env": ["PATH=/bin"]
}'

# Fails on purpose after 1 s so restart policy / CrashLoopBackOff can be exercised.
make_image crasher '{
  "Entrypoint": ["/bin/sh","-c","echo \"crasher: started, exiting with status 1 in 1s\"; sleep 1; exit 1"],
  "User": "65534:65534", "WorkingDir": "/", "Env": ["PATH=/bin"]
}'

# The same busybox-httpd as a `docker save` tarball, for the docker-archive: transport.
# skopeo refuses to write into an existing archive, so build it aside and move it into place.
skopeo copy --quiet "oci:$outdir/busybox-httpd:latest" \
    "docker-archive:$work/busybox-httpd.tar:busybox-httpd:latest"
chmod 0644 "$work/busybox-httpd.tar"
mv -f "$work/busybox-httpd.tar" "$outdir/busybox-httpd.tar"
echo "built $outdir/busybox-httpd.tar  (docker-archive busybox-httpd:latest)"
