// Finds a block device by its GPT partition name, the way the agent finds the containers'
// roots on the bootable disk (pod_vm.h kCmdlineRootfs). The kernel reports each partition's
// name in sysfs (/sys/class/block/<dev>/uevent: "PARTNAME=web"), and devtmpfs names its node
// /dev/<DEVNAME>: no udev, no /dev/disk/by-partlabel.
#pragma once

#include <chrono>
#include <optional>
#include <string>

#include "common/status.h"

namespace i2kit {

// The DEVNAME of a uevent file's text when its PARTNAME is `name`, else "".
std::string DevnameIfPartition(const std::string& uevent, const std::string& name);

// "/dev/<DEVNAME>" of the one block device under `class_block` (normally /sys/class/block)
// whose partition name is `name`; nullopt when none has it. Fails when several do (two disks
// from one image: which one is the boot disk cannot be told, so neither is guessed).
Result<std::optional<std::string>> LookUpPartitionByName(const std::string& class_block,
                                                         const std::string& name);

// LookUpPartitionByName, failing when there is no such partition.
Result<std::string> FindPartitionByName(const std::string& class_block, const std::string& name);

// FindPartitionByName, asked again every 50 ms until it finds the device or `timeout` passes:
// disks are probed asynchronously (NVMe namespaces appear after /init has started).
Result<std::string> WaitForPartitionByName(const std::string& class_block, const std::string& name,
                                           std::chrono::milliseconds timeout);

}  // namespace i2kit
