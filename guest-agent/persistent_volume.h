// Persistent volumes in the guest (pod_model.h VolumeType::kPersistent): the agent finds each
// one's disk by its serial, mounts its ext4 filesystem below pod_vm.h kVolumesMount and gives
// it to the Pod's fsGroup, all before any container starts; containers bind-mount it from
// there like any other volume of the Pod (pod_volumes.h PodVolumes::paths). Locally the serial is
// pod_vm.h kVolumeSerialPrefix + the volume's index, on EC2 the EBS volume's NVMe serial.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>

#include "common/image_config.h"
#include "common/pod_model.h"
#include "common/status.h"

namespace i2kit {

// The serial of a disk as sysfs shows it below `class_block` (normally /sys/class/block):
// <dev>/serial for virtio-blk, <dev>/device/serial for NVMe (an EBS volume's is its id without
// the dash, "vol0123…"), trailing blanks removed; "" when it has none.
std::string DiskSerial(const std::string& class_block, const std::string& device);

// "/dev/<dev>" of the whole disk whose serial is `serial`, asked again every 50 ms until
// `timeout` passes (disks are probed asynchronously).
Result<std::string> WaitForDiskBySerial(const std::string& class_block, const std::string& serial,
                                        std::chrono::milliseconds timeout);

// Where the disks of the Pod's persistent volumes are and how to format them.
struct PersistentVolumeDisks {
  // Volume name → disk serial: on EC2 the EBS volume's NVMe serial ("vol0123…"), given by the
  // reporter's attach-volumes; empty locally, where the i-th volume's is
  // pod_vm.h kVolumeSerialPrefix + i.
  std::map<std::string, std::string> serials;
  // Where each volume's seed is, a file named after it (pod_vm.h kVolumeSeedDir).
  std::string seed_dir;
  std::string class_block = "/sys/class/block";
  std::chrono::milliseconds timeout{10000};  // for each disk to appear
};

// Mounts every persistent volume of `pod` (ext4, nosuid, nodev) at `mount_root`/<name> and
// applies the Pod's fsGroup (pod_volumes.h ApplyFsGroup); returns volume name → mount point. A
// blank disk is formatted first from its seed (volume_format.h FormatIfBlank), which `note`
// says, as it says a filesystem whose size is not the volume's. A missing disk, one holding
// something else, or a volume without a serial is an error: a database must never start on
// an empty stand-in for its data.
Result<std::map<std::string, std::string>> MountPersistentVolumes(
    const Deployment& pod, const PersistentVolumeDisks& disks, const std::string& mount_root,
    const std::function<void(const std::string&)>& note);

// The i2kit short format has no securityContext, so no fsGroup: there a volume's root is
// given to the user `container` runs as (resolved from `image`, `passwd` and `group` as
// container_user.h does) when it is the first container of the Pod to mount it — `given`
// holds the volumes already given — so that a non-root image can write its own data. Docker
// likewise gives a new named volume the owner of the image's directory it is mounted on.
// Nothing is done for a Kubernetes Pod, or one with an fsGroup.
Status GiveShortFormatVolumes(const Deployment& pod, const Container& container,
                              const ImageConfig& image, std::string_view passwd,
                              std::string_view group,
                              const std::map<std::string, std::string>& mounted,
                              std::set<std::string>& given);

}  // namespace i2kit
