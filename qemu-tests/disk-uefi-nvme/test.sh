# The example's disk.raw boots the way EC2's UEFI instances boot it — OVMF, the disk on NVMe, systemd-boot starting the EFI-stub kernel, its network from DHCP — and serves "Hello from i2kit".
# shellcheck shell=bash
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"

ovmf=/usr/share/OVMF
[[ -r $ovmf/OVMF_CODE_4M.fd ]] || fail "no OVMF: apt-get install ovmf"
build_pod "$repo/examples/hello.yml"
# The firmware writes its variables (boot entries it finds): each boot gets a fresh copy.
cp "$ovmf/OVMF_VARS_4M.fd" "$work/vars.fd"
started_at=$SECONDS
# snapshot=on: the built disk stays as built, whatever the guest writes.
boot_disk uefi 18091 \
  -drive "if=pflash,format=raw,unit=0,readonly=on,file=$ovmf/OVMF_CODE_4M.fd" \
  -drive "if=pflash,format=raw,unit=1,file=$work/vars.fd" \
  -drive "if=none,id=disk0,format=raw,snapshot=on,file=$work/out/hello/disk.raw" \
  -device nvme,drive=disk0,serial=i2kit-disk
# OVMF alone takes 10-20 s under TCG.
body=$(wait_http uefi 18091 240)
[[ "$body" == "Hello from i2kit" ]] || fail "unexpected answer: $body"
grep -q "container web root /dev/nvme0n1p2 (partition web)" "$work/uefi.log" || fail "the agent did not find the root partition on NVMe"
echo "served over UEFI/NVMe $((SECONDS - started_at)) s after QEMU started"
