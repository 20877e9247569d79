// What the boot partition of disk.raw holds, and how big its FAT filesystem must be. One FAT
// partition serves both firmwares with one copy of the kernel and the initrd:
// - UEFI starts \EFI\BOOT\BOOTX64.EFI, systemd-boot, whose one loader entry starts the kernel
//   through its own EFI stub with the initrd and the command line;
// - legacy BIOS runs gptmbr.bin from the protective MBR, which chains to SYSLINUX in this
//   partition's boot sector; syslinux.cfg loads the same kernel and initrd.
// Pure: file contents and sizes only; boot_disk.h writes them.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace i2kit {

// Debian's files (packages systemd-boot-efi, syslinux-common).
inline constexpr const char* kSystemdBootEfi = "/usr/lib/systemd/boot/efi/systemd-bootx64.efi";
inline constexpr const char* kSyslinuxGptMbr = "/usr/lib/syslinux/mbr/gptmbr.bin";
// What `syslinux --install` adds to the filesystem (ldlinux.sys and ldlinux.c32 of syslinux
// 6.04 are 58 KiB and 117 KiB): room kept for them.
inline constexpr uint64_t kSyslinuxFilesBytes = 256 * 1024;

// The kernel and the initrd on the partition, in its root.
inline constexpr const char* kBootKernel = "bzImage";
inline constexpr const char* kBootInitrd = "initrd.img";

// A file to put on the partition: `path` there (directories separated by '/'), and either the
// host file `source` or the literal `content`.
struct BootFile {
  std::string path;
  std::string source;
  std::string content;
};

// The directories (parents first) and files of the boot partition for a kernel, an initrd and
// the kernel command line both loaders pass.
std::vector<std::string> BootDirectories();
std::vector<BootFile> BootFiles(const std::string& kernel, const std::string& initrd,
                                const std::string& cmdline);

// syslinux.cfg: boot at once (no prompt, no menu), console on the first serial port too.
std::string SyslinuxConfig(const std::string& cmdline);
// systemd-boot's loader.conf: the one entry, no menu (timeout 0), no editor (the command line
// is part of the image, not something a console user changes).
std::string SystemdBootLoaderConf();
// The Boot Loader Specification (type 1) entry that starts the kernel.
std::string SystemdBootEntry(const std::string& cmdline);

// The geometry `mformat` is given for the boot partition: 2 KiB clusters, one reserved
// sector, 32 sectors (512 entries) of root directory, two FATs.
inline constexpr uint64_t kFatClusterBytes = 2048;
inline constexpr uint64_t kFatRootDirSectors = 32;

// The smallest FAT filesystem (in bytes, a multiple of 4 KiB) that holds files of these sizes
// in `directories` subdirectories, plus kSyslinuxFilesBytes. Counts FAT16's 2 bytes per
// cluster (FAT12 needs less) and a few spare clusters, so mcopy never finds it full.
uint64_t FatFilesystemBytes(const std::vector<uint64_t>& file_sizes, size_t directories);

}  // namespace i2kit
