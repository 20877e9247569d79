# shellcheck shell=bash
# Sourced by the benchmark scripts: clocks, the host's memory reading, and the example web image
# (busybox httpd) as plain runc bundles, so that every comparator — runc on the host, the
# conventional worker VM's containers — runs the very bytes a Pod VM runs, the same way.

# now: seconds since the epoch, with nanoseconds.
now() { date +%s.%N; }
# since T: seconds elapsed since T (a `now`), one decimal.
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }
# mem_available_kib: the host's MemAvailable, the figure the thesis' "free memory" method reads.
mem_available_kib() { awk '/^MemAvailable:/ { print $2 }' /proc/meminfo; }
# settle: page cache and the allocator quiet down before a memory reading.
settle() { sync; sleep 3; }
# pss_per_pod N PID...: the processes' proportional set size (their own pages, shared ones split
# among their users) summed and divided by N, in MiB. Unlike a MemAvailable drop it ignores
# whatever else the machine does meanwhile, so it stays readable on a busy, shared host.
pss_per_pod() {
  local n=$1 pid total=0 kib
  shift
  for pid in "$@"; do
    kib=$(awk '/^Pss:/ { print $2 }' "/proc/$pid/smaps_rollup" 2>/dev/null) || kib=0
    total=$((total + ${kib:-0}))
  done
  awk -v t="$total" -v n="$n" 'BEGIN { printf "%.1f", t / n / 1024 }'
}

# oci_unpack LAYOUT DIR: the layers of the first image of OCI layout LAYOUT, extracted into DIR.
oci_unpack() {
  local layout=$1 dir=$2 digest layer
  mkdir -p "$dir"
  digest=$(jq -r '.manifests[0].digest' "$layout/index.json")
  for layer in $(jq -r '.layers[].digest' "$layout/blobs/sha256/${digest#sha256:}"); do
    tar -xf "$layout/blobs/sha256/${layer#sha256:}" -C "$dir"
  done
}

# httpd_bundle DIR ROOTFS ADDRESS: writes DIR/config.json, a runc bundle that serves ROOTFS's /www
# with its busybox httpd on ADDRESS ("PORT" or "IP:PORT"), read-only, in the network namespace
# of whoever starts it (so each container needs a port of its own), like a Pod VM's container.
httpd_bundle() {
  local dir=$1 rootfs=$2 address=$3
  mkdir -p "$dir"
  (cd "$dir" && rm -f config.json && runc spec)
  jq --arg root "$rootfs" --arg address "$address" \
    '.root = {path: $root, readonly: true} | .process.terminal = false
     | .process.args = ["/bin/busybox", "httpd", "-f", "-p", $address, "-h", "/www"]
     | .linux.namespaces = [.linux.namespaces[] | select(.type != "network")]' \
    "$dir/config.json" >"$dir/config.new" && mv "$dir/config.new" "$dir/config.json"
}

# oci_image DIR LAYOUT ENTRYPOINT...: an OCI image layout at LAYOUT (tag "latest", one layer:
# DIR's tree, owned by root) that runs ENTRYPOINT. For images of Debian's tools (stress-ng) that
# only the benchmarks need; the examples' images are examples/build-images.sh's, reproducibly.
oci_image() {
  local dir=$1 layout=$2 tmp diff_id layer config manifest
  shift 2
  tmp=$(mktemp -d)
  mkdir -p "$layout/blobs/sha256"
  # blob FILE: stores FILE in the layout; prints its JSON descriptor's digest and size.
  blob() {
    local hex
    hex=$(sha256sum "$1" | cut -d' ' -f1)
    cp "$1" "$layout/blobs/sha256/$hex"
    echo "{\"digest\": \"sha256:$hex\", \"size\": $(stat -c %s "$1")}"
  }
  tar -C "$dir" --sort=name --numeric-owner --owner=0 --group=0 -cf "$tmp/layer.tar" .
  diff_id=$(sha256sum "$tmp/layer.tar" | cut -d' ' -f1)
  gzip -n "$tmp/layer.tar"
  layer=$(blob "$tmp/layer.tar.gz")
  jq -n -c --arg diff "sha256:$diff_id" '{architecture: "amd64", os: "linux",
    config: {Entrypoint: $ARGS.positional, Env: ["PATH=/usr/bin:/bin"]},
    rootfs: {type: "layers", diff_ids: [$diff]}}' --args "$@" >"$tmp/config.json"
  config=$(blob "$tmp/config.json")
  jq -n -c --argjson config "$config" --argjson layer "$layer" '{schemaVersion: 2,
    mediaType: "application/vnd.oci.image.manifest.v1+json",
    config: ({mediaType: "application/vnd.oci.image.config.v1+json"} + $config),
    layers: [{mediaType: "application/vnd.oci.image.layer.v1.tar+gzip"} + $layer]}' >"$tmp/manifest.json"
  manifest=$(blob "$tmp/manifest.json")
  jq -n -c --argjson manifest "$manifest" '{schemaVersion: 2, manifests: [
    {mediaType: "application/vnd.oci.image.manifest.v1+json",
     annotations: {"org.opencontainers.image.ref.name": "latest"}} + $manifest]}' >"$layout/index.json"
  echo '{"imageLayoutVersion": "1.0.0"}' >"$layout/oci-layout"
  rm -rf "$tmp"
}

# stress_ng_image LAYOUT: an image of Debian's stress-ng (with the libraries it links) and a
# static busybox, whose entrypoint sleeps: the benchmark runs stress-ng in it with `exec`.
stress_ng_image() {
  local layout=$1 root lib
  root=$(mktemp -d)
  mkdir -p "$root"/{bin,usr/bin,tmp,proc,sys,dev,etc}
  chmod 1777 "$root/tmp"
  cp /usr/bin/stress-ng "$root/usr/bin/"
  cp "$(dpkg-query -L busybox-static | grep -E '^(/usr)?/bin/busybox$' | head -1)" "$root/bin/busybox"
  for lib in $(ldd /usr/bin/stress-ng | grep -o '/[^ ]*'); do cp --parents -L "$lib" "$root"; done
  oci_image "$root" "$layout" /bin/busybox sleep 1000000
  rm -rf "$root"
}

# plot_preamble PNG TITLE: gnuplot's opening lines for two plots side by side against N; the
# caller's lines follow ("-" in a data file is a figure not measured).
plot_preamble() {
  cat <<PLOT
set terminal png size 1000,420 font ",10"
set output "$1"
set datafile missing "-"
set multiplot layout 1,2 title "$2"
set xlabel "Pods (N)"
set grid
PLOT
}
