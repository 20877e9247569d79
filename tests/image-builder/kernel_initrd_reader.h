// Reads an initrd the way the kernel's initramfs unpacker does (init/initramfs.c): newc cpio
// archives one after the other, each plain or gzip-compressed, zero bytes between them
// skipped. The tests check what a booting kernel would see, not what one library reads back.
#pragma once

#include <sys/types.h>

#include <map>
#include <string>

#include "common/status.h"

namespace i2kit::test_util {

struct InitrdFile {
  mode_t mode = 0;  // type and permission bits
  std::string data;  // a file's contents, a symlink's target
  unsigned rdev_major = 0, rdev_minor = 0;
  int archive = 0;  // which archive of the initrd holds it, from 0
};

// Every entry by path (without the leading "/"); a later archive's entry replaces an
// earlier one's, as when the kernel unpacks it.
Result<std::map<std::string, InitrdFile>> ReadInitrdLikeTheKernel(const std::string& path);

}  // namespace i2kit::test_util
