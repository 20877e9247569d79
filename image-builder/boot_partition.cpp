#include "image-builder/boot_partition.h"

namespace i2kit {
namespace {

uint64_t DivideRoundingUp(uint64_t value, uint64_t unit) {
  return (value + unit - 1) / unit;
}

}  // namespace

std::vector<std::string> BootDirectories() {
  return {"EFI", "EFI/BOOT", "loader", "loader/entries"};
}

std::vector<BootFile> BootFiles(const std::string& kernel, const std::string& initrd,
                                const std::string& cmdline) {
  return {
      {"EFI/BOOT/BOOTX64.EFI", kSystemdBootEfi, ""},  // the removable-media path
      {"loader/loader.conf", "", SystemdBootLoaderConf()},
      {"loader/entries/i2kit.conf", "", SystemdBootEntry(cmdline)},
      {"syslinux.cfg", "", SyslinuxConfig(cmdline)},
      {kBootKernel, kernel, ""},
      {kBootInitrd, initrd, ""},
  };
}

std::string SyslinuxConfig(const std::string& cmdline) {
  // SERIAL: EC2's and QEMU's console is the first UART; syslinux's own messages go there too.
  return std::string("SERIAL 0 115200\nDEFAULT i2kit\nPROMPT 0\nTIMEOUT 0\nLABEL i2kit\n") +
         "  LINUX /" + kBootKernel + "\n  INITRD /" + kBootInitrd + "\n  APPEND " + cmdline + "\n";
}

std::string SystemdBootLoaderConf() {
  return "default i2kit.conf\ntimeout 0\neditor no\n";
}

std::string SystemdBootEntry(const std::string& cmdline) {
  return std::string("title i2kit Pod VM\nlinux /") + kBootKernel + "\ninitrd /" + kBootInitrd +
         "\noptions " + cmdline + "\n";
}

uint64_t FatFilesystemBytes(const std::vector<uint64_t>& file_sizes, size_t directories) {
  uint64_t clusters = DivideRoundingUp(kSyslinuxFilesBytes, kFatClusterBytes);
  for (uint64_t size : file_sizes) clusters += DivideRoundingUp(size, kFatClusterBytes);
  // Each subdirectory holds a few entries (long names included): one cluster each. Spare
  // clusters cover mformat's rounding of the FAT and data area.
  clusters += directories + 16;
  const uint64_t fat_sectors = DivideRoundingUp((clusters + 2) * 2, 512);
  const uint64_t sectors =
      1 + 2 * fat_sectors + kFatRootDirSectors + clusters * (kFatClusterBytes / 512);
  return DivideRoundingUp(sectors * 512, 4096) * 4096;
}

}  // namespace i2kit
