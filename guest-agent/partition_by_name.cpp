#include "guest-agent/partition_by_name.h"

#include <string_view>
#include <thread>

#include "common/text_file.h"
#include "guest-agent/file_tree.h"

namespace i2kit {

std::string DevnameIfPartition(const std::string& uevent, const std::string& name) {
  std::string devname;
  bool named = false;
  for (std::string_view line : SplitLines(uevent)) {
    if (line.starts_with("DEVNAME=")) devname = line.substr(8);
    if (line.starts_with("PARTNAME=") && line.substr(9) == name) named = true;
  }
  return named ? devname : "";
}

Result<std::optional<std::string>> LookUpPartitionByName(const std::string& class_block,
                                                         const std::string& name) {
  Result<std::vector<std::string>> devices = ListDirectory(class_block);
  if (!devices.ok()) return devices.status().WithContext("listing " + class_block);
  std::string found;
  for (const std::string& device : *devices) {
    std::string devname =
        DevnameIfPartition(ReadTextFile(class_block + "/" + device + "/uevent"), name);
    // A DEVNAME is a path below /dev; one with ".." would not be the kernel's.
    if (devname.empty() || devname.find("..") != std::string::npos) continue;
    if (!found.empty()) {
      return Status::Error("partition '" + name + "' is on two devices: " + found + " and /dev/" +
                           devname);
    }
    found = "/dev/" + devname;
  }
  if (found.empty()) return std::optional<std::string>();
  return std::optional<std::string>(found);
}

Result<std::string> FindPartitionByName(const std::string& class_block, const std::string& name) {
  Result<std::optional<std::string>> device = LookUpPartitionByName(class_block, name);
  if (!device.ok()) return device.status();
  if (!*device) return Status::Error("no partition named '" + name + "' in " + class_block);
  return **device;
}

Result<std::string> WaitForPartitionByName(const std::string& class_block, const std::string& name,
                                           std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    Result<std::string> device = FindPartitionByName(class_block, name);
    if (device.ok() || std::chrono::steady_clock::now() >= deadline) return device;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

}  // namespace i2kit
