// The initrd of a Pod VM: a newc cpio archive (what the kernel unpacks into its initramfs)
// holding the guest agent as /init, runc with the shared libraries it needs, and the Pod
// spec. Entries are sorted and carry fixed times and root ownership, so the same inputs give
// a byte-identical archive.
#pragma once

#include <sys/types.h>

#include <map>
#include <string>
#include <vector>

#include "common/status.h"

namespace i2kit {

class InitrdBuilder {
 public:
  // Adds a directory (parents of every entry are added implicitly, mode 0755).
  void AddDirectory(const std::string& path, mode_t mode = 0755);
  // Adds the host file `source` at `path` (read when Write runs).
  void AddFile(const std::string& path, const std::string& source, mode_t mode);
  // Adds `data` as the file at `path`.
  void AddData(const std::string& path, std::string data, mode_t mode = 0644);
  void AddSymlink(const std::string& path, const std::string& target);
  // Adds a character device node, e.g. /dev/console (5, 1) for the kernel to open for /init.
  void AddCharDevice(const std::string& path, unsigned major, unsigned minor, mode_t mode);

  // Writes the archive, zstd-compressed (reproducibly: the frame holds no name and no time).
  Status Write(const std::string& output) const;

 private:
  struct Entry {
    enum class Kind { kDirectory, kFile, kData, kSymlink, kCharDevice } kind;
    mode_t mode = 0;
    std::string source;  // kFile: host path; kData: contents; kSymlink: target
    unsigned major = 0, minor = 0;
  };
  void AddParents(const std::string& path);
  std::map<std::string, Entry> entries_;  // sorted by path: a reproducible order
};

// The shared libraries `binary` loads (including the dynamic loader), as host paths, from
// `ldd`; empty for a static binary.
Result<std::vector<std::string>> SharedLibrariesOf(const std::string& binary);

}  // namespace i2kit
