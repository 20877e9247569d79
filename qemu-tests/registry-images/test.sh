# Registry images through containerd, end to end: a real registry on loopback (Debian's docker-registry) holds a `docker save` archive pushed by skopeo (Docker media types) and a multi-arch OCI image of three layers (gzip, plain tar, zstd) whose upper layers delete a file and a directory and make a directory opaque; `build` pulls both from `localhost:PORT/…` into a containerd the test starts (its own root, state and socket), and from inside the running containers the deleted paths are gone and the right files are there. Also: a registry named through a hosts directory (hosts.toml) is pulled from, a moved `:latest` is fetched again (imagePullPolicy Always) and not with IfNotPresent, and a registry that wants a login is refused with the ctr command that fetches the image by hand, after which build reads it.
# shellcheck shell=bash
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"

# The registries' host ports (lib.sh keeps the list of who owns which): one open, one that
# wants a login.
port=18093 private_port=18094
registry="localhost:$port" private="localhost:$private_port"

((EUID == 0)) || fail "containerd needs root: run this test as root"
for tool in docker-registry skopeo containerd ctr jq tar gzip zstd sha256sum curl python3; do
  command -v "$tool" >/dev/null ||
    fail "$tool missing (apt-get install docker-registry skopeo containerd jq tar gzip zstd curl python3)"
done
busybox=$(dpkg-query -L busybox-static 2>/dev/null | grep -E '^(/usr)?/bin/busybox$' | head -n1) ||
  true
[[ -x $busybox ]] || fail "busybox-static missing (apt-get install busybox-static): the image carries no libc"

# The daemons are stopped (and waited for) before lib.sh's cleanup removes their directories.
daemons=()
trap 'for pid in "${daemons[@]}"; do kill "$pid" 2>/dev/null || true; done
      for pid in "${daemons[@]}"; do wait "$pid" 2>/dev/null || true; done
      cleanup' EXIT

# --- the registries: plain HTTP on loopback, storage under $work ------------------------------
# serve_registry NAME PORT [CONFIG-LINES]: starts a registry; its log is $work/NAME.log.
serve_registry() {
  mkdir -p "$work/$1"
  cat >"$work/$1.yml" <<YAML
version: 0.1
log: {level: warn}
storage:
  filesystem: {rootdirectory: $work/$1}
http: {addr: 127.0.0.1:$2}
${3:-}
YAML
  docker-registry serve "$work/$1.yml" >"$work/$1.log" 2>&1 &
  daemons+=($!)
}
serve_registry registry "$port"
# The private one takes user "i2kit", password "secret" (htpasswd wants bcrypt).
python3 -W ignore -c 'import crypt; print("i2kit:" + crypt.crypt("secret", crypt.mksalt(crypt.METHOD_BLOWFISH)))' \
  >"$work/htpasswd" || fail "python3 could not hash the registry password"
serve_registry private "$private_port" "auth: {htpasswd: {realm: i2kit-test, path: $work/htpasswd}}"

# --- containerd: only the plugins an image store needs, its own root, state and socket --------
# No CRI (it would want CNI and a runtime), no /opt plugin directory, no snapshotters this
# machine may lack: build fetches without unpacking.
socket="$work/containerd/containerd.sock"
mkdir -p "$work/containerd"
cat >"$work/containerd.toml" <<TOML
version = 2
root = "$work/containerd/root"
state = "$work/containerd/state"
disabled_plugins = ["io.containerd.grpc.v1.cri", "io.containerd.internal.v1.opt",
  "io.containerd.snapshotter.v1.aufs", "io.containerd.snapshotter.v1.btrfs",
  "io.containerd.snapshotter.v1.devmapper", "io.containerd.snapshotter.v1.zfs",
  "io.containerd.tracing.processor.v1.otlp", "io.containerd.internal.v1.tracing"]
[grpc]
  address = "$socket"
[ttrpc]
  address = "$socket.ttrpc"
TOML
containerd --config "$work/containerd.toml" >"$work/containerd.log" 2>&1 &
daemons+=($!)

deadline=$((SECONDS + 60))
until curl -sf -m 2 -o /dev/null "http://127.0.0.1:$port/v2/" &&
  curl -sf -m 2 -o /dev/null -u i2kit:secret "http://127.0.0.1:$private_port/v2/" && [[ -S $socket ]]; do
  for pid in "${daemons[@]}"; do
    kill -0 "$pid" 2>/dev/null ||
      fail "a daemon exited at start: $(tail -n 5 "$work"/{registry,private,containerd}.log)"
  done
  ((SECONDS < deadline)) || fail "the registry or containerd did not listen within 60 s"
  sleep 0.2
done

# --- the images -------------------------------------------------------------------------------
export SOURCE_DATE_EPOCH=1704067200 LC_ALL=C TZ=UTC

# blob LAYOUT FILE: stores FILE as a blob of the OCI layout LAYOUT; prints "DIGEST SIZE".
blob() {
  local hex
  hex=$(sha256sum "$2" | cut -d' ' -f1)
  mkdir -p "$1/blobs/sha256"
  cp "$2" "$1/blobs/sha256/$hex"
  echo "sha256:$hex $(stat -c %s "$2")"
}
# descriptor MEDIATYPE "DIGEST SIZE" [PLATFORM-JSON]: an OCI descriptor.
descriptor() {
  jq -n -c --arg m "$1" --arg d "${2% *}" --argjson s "${2#* }" --argjson p "${3:-null}" \
    '{mediaType: $m, digest: $d, size: $s} + (if $p then {platform: $p} else {} end)'
}
# layer_tar DIR OUT [NAME…]: a tar of the entries under DIR, all of them sorted or NAMEs in the
# order given, owned by 0:0 with a fixed mtime.
layer_tar() {
  local dir=$1 out=$2
  shift 2
  if (($#)); then printf '%s\0' "$@"; else (cd "$dir" && find . -mindepth 1 -printf '%P\0' | sort -z); fi |
    tar -C "$dir" --create --no-recursion --null --files-from=- --format=ustar --numeric-owner \
      --owner=0 --group=0 --mtime="@$SOURCE_DATE_EPOCH" -f "$out"
}
# manifest LAYOUT ARCH CONFIG-JSON LAYER-TAR:MEDIATYPE…: writes the image's config and layers
# (each tar compressed as its media type says) into LAYOUT; prints the manifest's descriptor.
manifest() {
  local layout=$1 arch=$2 config=$3 layers=() diff_ids=() tar media file
  shift 3
  for layer in "$@"; do
    tar=${layer%%:*} media=${layer#*:}
    diff_ids+=("sha256:$(sha256sum "$tar" | cut -d' ' -f1)")
    case $media in
      *+gzip) file=$tar.gz && gzip -n -c "$tar" >"$file" ;;
      *+zstd) file=$tar.zst && zstd -q -c "$tar" >"$file" ;;
      *) file=$tar ;;
    esac
    layers+=("$(descriptor "$media" "$(blob "$layout" "$file")")")
  done
  jq -n -S -c --arg arch "$arch" --argjson config "$config" \
    --args '{architecture: $arch, os: "linux", config: $config,
             rootfs: {type: "layers", diff_ids: $ARGS.positional}}' "${diff_ids[@]}" >"$work/config.json"
  local config_descriptor
  config_descriptor=$(descriptor application/vnd.oci.image.config.v1+json "$(blob "$layout" "$work/config.json")")
  printf '%s\n' "${layers[@]}" | jq -s -S -c --argjson c "$config_descriptor" \
    '{schemaVersion: 2, mediaType: "application/vnd.oci.image.manifest.v1+json", config: $c,
      layers: .}' >"$work/manifest.json"
  descriptor application/vnd.oci.image.manifest.v1+json "$(blob "$layout" "$work/manifest.json")" \
    "{\"os\": \"linux\", \"architecture\": \"$arch\"}"
}

# 1. The example busybox httpd as `docker save` wrote it: skopeo pushes it with Docker's media
# types (a schema 2 manifest, gzip layers it compresses on the way).
skopeo copy --quiet --dest-tls-verify=false "docker-archive:$images/busybox-httpd.tar" \
  "docker://$registry/i2kit/httpd:archive" || fail "skopeo could not push the docker archive"

# 2. Three layers. The base has busybox and /data; the second (a plain tar) deletes a file and a
# directory, makes /data/opaque opaque (its marker written after the layer's own new entries:
# the order must not matter) and changes /data/keep; the third (zstd) brings back a directory
# of the deleted name, which must come back empty of what the base had there.
base=$work/base
mkdir -p "$base"/{bin,etc,dev,proc,sys,tmp} "$base"/data/{gone-dir/sub,opaque/old-dir}
cp "$busybox" "$base/bin/busybox"
for applet in sh cat find sort sleep echo test; do ln -s busybox "$base/bin/$applet"; done
echo 1 >"$base/data/keep"
echo 1 >"$base/data/gone-file"
echo 1 >"$base/data/gone-dir/sub/file"
echo 1 >"$base/data/opaque/old-file"
echo 1 >"$base/data/opaque/old-dir/file"
cat >"$base/check" <<'SH'
#!/bin/sh
# Lists /data as the container sees it, a line per entry, then stays up.
find /data | sort | while read -r path; do
  if [ -d "$path" ]; then echo "layers-check: $path/"; else echo "layers-check: $path=$(cat "$path")"; fi
done
echo "layers-check: done"
exec sleep 3600
SH
chmod 0755 "$base/check"
layer_tar "$base" "$work/base.tar"

upper=$work/upper
mkdir -p "$upper/data/opaque/new-dir"
echo 2 >"$upper/data/keep"
echo 2 >"$upper/data/opaque/new-file"
echo 2 >"$upper/data/opaque/new-dir/file"
touch "$upper/data/.wh.gone-file" "$upper/data/.wh.gone-dir" "$upper/data/opaque/.wh..wh..opq"
layer_tar "$upper" "$work/upper.tar" data data/.wh.gone-dir data/.wh.gone-file data/keep \
  data/opaque data/opaque/new-file data/opaque/new-dir data/opaque/new-dir/file \
  data/opaque/.wh..wh..opq

top=$work/top
mkdir -p "$top/data/gone-dir"
echo 3 >"$top/data/gone-dir/back"
layer_tar "$top" "$work/top.tar"

# An arm64 image beside it in one index, as multi-arch images come: only amd64's is fetched.
mkdir -p "$work/arm64"
echo arm64 >"$work/arm64/arch"
layer_tar "$work/arm64" "$work/arm64.tar"

layout=$work/layers-layout
mkdir -p "$layout"
printf '{"imageLayoutVersion":"1.0.0"}' >"$layout/oci-layout"
config='{"Entrypoint": ["/check"], "User": "65534:65534", "WorkingDir": "/", "Env": ["PATH=/bin"]}'
amd64=$(manifest "$layout" amd64 "$config" "$work/base.tar:application/vnd.oci.image.layer.v1.tar+gzip" \
  "$work/upper.tar:application/vnd.oci.image.layer.v1.tar" \
  "$work/top.tar:application/vnd.oci.image.layer.v1.tar+zstd")
arm64=$(manifest "$layout" arm64 "$config" "$work/arm64.tar:application/vnd.oci.image.layer.v1.tar+gzip")
jq -n -c --argjson a "$amd64" --argjson b "$arm64" \
  '{schemaVersion: 2, mediaType: "application/vnd.oci.image.index.v1+json", manifests: [$b, $a]}' \
  >"$work/index.json"
index=$(descriptor application/vnd.oci.image.index.v1+json "$(blob "$layout" "$work/index.json")")
jq -n -c --argjson i "$index" \
  '{schemaVersion: 2, manifests: [$i + {annotations: {"org.opencontainers.image.ref.name": "v1"}}]}' \
  >"$layout/index.json"
# Every image of the index, its layers exactly as made (no recompression).
skopeo copy --quiet --all --preserve-digests --dest-tls-verify=false "oci:$layout:v1" \
  "docker://$registry/i2kit/layers:v1" || fail "skopeo could not push the layered image"

# What the registry serves is what the test means to exercise.
# media_types REPOSITORY REFERENCE ACCEPT: the media types of the manifest (or index) and of its
# layers (or manifests), as the registry serves them.
media_types() {
  curl -sf -m 10 -H "Accept: $3" "http://127.0.0.1:$port/v2/$1/manifests/$2" |
    jq -r '[.mediaType, (.layers // .manifests)[].mediaType] | join(" ")'
}
served=$(media_types i2kit/httpd archive application/vnd.docker.distribution.manifest.v2+json)
[[ $served == "application/vnd.docker.distribution.manifest.v2+json application/vnd.docker.image.rootfs.diff.tar.gzip" ]] ||
  fail "the registry serves i2kit/httpd:archive as: $served"
served=$(media_types i2kit/layers v1 application/vnd.oci.image.index.v1+json)
[[ $served == "application/vnd.oci.image.index.v1+json application/vnd.oci.image.manifest.v1+json application/vnd.oci.image.manifest.v1+json" ]] ||
  fail "the registry serves i2kit/layers:v1 as: $served"
served=$(media_types i2kit/layers "$(jq -r .digest <<<"$amd64")" application/vnd.oci.image.manifest.v1+json)
[[ $served == "application/vnd.oci.image.manifest.v1+json application/vnd.oci.image.layer.v1.tar+gzip application/vnd.oci.image.layer.v1.tar application/vnd.oci.image.layer.v1.tar+zstd" ]] ||
  fail "the registry serves the amd64 image of i2kit/layers:v1 as: $served"

# --- build: containerd pulls both from the registry -------------------------------------------
export CONTAINERD_NAMESPACE=i2kit-registry-test
[[ -z $(ctr --address "$socket" images ls -q) ]] || fail "containerd's store is not empty before the build"
cat >"$work/pod.yml" <<YAML
apiVersion: apps/v1
kind: Deployment
metadata: {name: registry}
spec:
  selector: {matchLabels: {app: registry}}
  template:
    metadata: {labels: {app: registry}}
    spec:
      terminationGracePeriodSeconds: 2
      containers:
      - name: httpd
        image: $registry/i2kit/httpd:archive
        readinessProbe:
          httpGet: {path: /, port: 8080}
          periodSeconds: 2
          timeoutSeconds: 10
      - name: layers
        image: $registry/i2kit/layers:v1
YAML
build_pod "$work/pod.yml" --containerd "unix://$socket"
stored=$(ctr --address "$socket" images ls -q | sort | tr '\n' ' ')
[[ $stored == "$registry/i2kit/httpd:archive $registry/i2kit/layers:v1 " ]] ||
  fail "containerd's store after the build holds '$stored'"
# The amd64 image's layers were fetched, the arm64 image's layer never was.
layer_digest() { jq -r ".layers[$2].digest" "$layout/blobs/sha256/$(jq -r .digest <<<"$1" | cut -d: -f2)"; }
blobs=$(ctr --address "$socket" content ls -q)
grep -qx "$(layer_digest "$amd64" 2)" <<<"$blobs" || fail "the amd64 zstd layer is not in containerd's content store"
if grep -qx "$(layer_digest "$arm64" 0)" <<<"$blobs"; then fail "the arm64 layer was fetched too"; fi

# --- imagePullPolicy: a tag moved in the registry ---------------------------------------------
# moving POLICY: builds a Pod of i2kit/moving:latest with that policy (none: the default,
# Always for :latest); prints the digest containerd then holds for the tag.
moving() {
  cat >"$work/moving.yml" <<YAML
apiVersion: apps/v1
kind: Deployment
metadata: {name: moving}
spec:
  selector: {matchLabels: {app: moving}}
  template:
    metadata: {labels: {app: moving}}
    spec:
      containers:
      - name: app
        image: $registry/i2kit/moving:latest
        ${1:+imagePullPolicy: $1}
YAML
  build_pod "$work/moving.yml" --containerd "unix://$socket"
  ctr --address "$socket" images ls | awk -v ref="$registry/i2kit/moving:latest" '$1 == ref {print $3}'
}
# push SOURCE: makes SOURCE (in the registry) i2kit/moving:latest; prints its digest.
push() {
  skopeo copy --quiet --all --src-tls-verify=false --dest-tls-verify=false "docker://$registry/$1" \
    "docker://$registry/i2kit/moving:latest" || fail "skopeo could not copy $1 to i2kit/moving:latest"
  curl -sfI -m 10 -H 'Accept: application/vnd.oci.image.index.v1+json' \
    -H 'Accept: application/vnd.docker.distribution.manifest.v2+json' \
    "http://127.0.0.1:$port/v2/i2kit/moving/manifests/latest" | tr -d '\r' |
    sed -n 's/^docker-content-digest: //Ip'
}
first=$(push i2kit/httpd:archive)
[[ $first =~ ^sha256:[0-9a-f]{64}$ ]] || fail "the registry gave i2kit/moving:latest the digest '$first'"
[[ $(moving) == "$first" ]] || fail "the first build of i2kit/moving:latest did not pull $first"
second=$(push i2kit/layers:v1)
[[ $second != "$first" ]] || fail "the tag did not move"
[[ $(moving IfNotPresent) == "$first" ]] || fail "IfNotPresent fetched the moved tag again"
[[ $(moving) == "$second" ]] || fail "Always (the default for :latest) did not fetch the moved tag"

# --- references pinned by digest, with and without a tag ---------------------------------------
index_digest=$(jq -r .digest <<<"$index")
for ref in "$registry/i2kit/layers@$index_digest" "$registry/i2kit/layers:v1@$index_digest"; do
  cat >"$work/pinned.yml" <<YAML
name: pinned
containers:
  app: {image: "$ref"}
YAML
  build_pod "$work/pinned.yml" --containerd "unix://$socket"
  # Read whole: grep -q would stop at the match, ctr would die of SIGPIPE, pipefail would fail.
  ctr --address "$socket" images ls | grep "^$ref .* $index_digest " >/dev/null ||
    fail "containerd does not hold $ref after the build: $(ctr --address "$socket" images ls)"
done

# --- a registry named through a hosts directory (containerd's certs.d) -------------------------
# mirror.test has no address: its hosts.toml sends its pulls to the open registry, in plain HTTP.
mkdir -p "$work/certs.d/mirror.test"
cat >"$work/certs.d/mirror.test/hosts.toml" <<TOML
server = "http://127.0.0.1:$port"
[host."http://127.0.0.1:$port"]
  capabilities = ["pull", "resolve"]
TOML
cat >"$work/mirror.yml" <<YAML
name: mirror
containers:
  app: {image: mirror.test/i2kit/httpd:archive}
YAML
build_pod "$work/mirror.yml" --containerd "unix://$socket" --registry-hosts "$work/certs.d"
ctr --address "$socket" images ls -q | grep -x mirror.test/i2kit/httpd:archive >/dev/null ||
  fail "containerd does not hold mirror.test/i2kit/httpd:archive after the build"

# --- a registry that wants a login ------------------------------------------------------------
# build gives ctr no credentials: the error says how to fetch the image by hand, and once that
# is done, build reads what containerd holds.
skopeo copy --quiet --dest-tls-verify=false --dest-creds i2kit:secret \
  "docker-archive:$images/busybox-httpd.tar" "docker://$private/i2kit/private:v1" ||
  fail "skopeo could not push to the private registry"
cat >"$work/private.yml" <<YAML
name: private
containers:
  app: {image: "$private/i2kit/private:v1"}
YAML
if "$host" build "$work/private.yml" -o "$work/out" --agent "$agent" --containerd "unix://$socket" \
  >"$work/private.log" 2>&1; then
  fail "build pulled from a registry that wants a login, without one"
fi
grep -q "401 Unauthorized (build gives ctr no credentials: fetch the image yourself with \`ctr --address $socket --namespace $CONTAINERD_NAMESPACE content fetch --platform linux/amd64 --user USER $private/i2kit/private:v1\`" \
  "$work/private.log" || fail "the refused pull's error: $(cat "$work/private.log")"
ctr --address "$socket" content fetch --platform linux/amd64 --user i2kit:secret \
  "$private/i2kit/private:v1" >/dev/null || fail "ctr could not fetch from the private registry"
build_pod "$work/private.yml" --containerd "unix://$socket"

# --- boot, and look from inside ---------------------------------------------------------------
run_pod registry
wait_console registry 'layers-check: done' 120
listing=$("$host" logs registry | tr -d '\r' | sed -n 's/.*layers-check: //p')
expected='/data/
/data/gone-dir/
/data/gone-dir/back=3
/data/keep=2
/data/opaque/
/data/opaque/new-dir/
/data/opaque/new-dir/file=2
/data/opaque/new-file=2
done'
[[ $listing == "$expected" ]] || fail "/data inside the layers container:
$listing
expected:
$expected"
echo "both registry images pulled through containerd and running; whiteouts applied as expected"
