# The example's disk.raw boots with legacy BIOS — SeaBIOS, the disk on virtio-blk, gptmbr.bin and SYSLINUX loading the kernel, its network from DHCP — and serves "Hello from i2kit".
# shellcheck shell=bash
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"

build_pod "$repo/examples/hello.yml"
started_at=$SECONDS
# No firmware option: QEMU's default is SeaBIOS. snapshot=on: the built disk stays as built.
boot_disk bios 18092 \
  -drive "if=none,id=disk0,format=raw,snapshot=on,file=$work/out/hello/disk.raw" \
  -device virtio-blk-pci,drive=disk0
body=$(wait_http bios 18092 180)
[[ "$body" == "Hello from i2kit" ]] || fail "unexpected answer: $body"
grep -q "container web root /dev/vda2 (partition web)" "$work/bios.log" || fail "the agent did not find the root partition on virtio"
echo "served over BIOS/virtio $((SECONDS - started_at)) s after QEMU started"
