#!/bin/bash
# Builds the kubernetes-app test's tools into OUT_DIR (copied to /tools in the checks image):
# grpc-health-server, on Debian's libgrpc++ (libgrpc++-dev). It is linked dynamically (the
# static archives would need gRPC's whole dependency tree by hand): its shared libraries and
# the loader go to OUT_DIR/lib, and OUT_DIR/grpc-health-server is a wrapper that runs it through
# that loader, so the image needs nothing but /bin/sh.
set -euo pipefail
out=${1:?usage: build.sh OUT_DIR}
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$out/lib" "$out/bin"
# shellcheck disable=SC2046
g++ -std=c++17 -O2 -o "$out/bin/grpc-health-server" "$here/grpc-health-server.cpp" \
  $(pkg-config --cflags --libs grpc++)
ldd "$out/bin/grpc-health-server" | awk '/=> \// {print $3} /^\t\/.*ld-linux/ {print $1}' |
  while read -r lib; do cp -L "$lib" "$out/lib/"; done
loader=$(basename "$(ldd "$out/bin/grpc-health-server" | awk '/ld-linux/ {print $1}')")
cat >"$out/grpc-health-server" <<WRAPPER
#!/bin/sh
exec /tools/lib/$loader --library-path /tools/lib /tools/bin/grpc-health-server "\$@"
WRAPPER
chmod 755 "$out/grpc-health-server"
