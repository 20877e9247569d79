#include "guest-agent/persistent_volume.h"

#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <thread>

#include "common/pod_vm.h"
#include "common/sys_error.h"
#include "common/text_file.h"
#include "common/volume_seed.h"
#include "guest-agent/container_user.h"
#include "guest-agent/file_tree.h"
#include "guest-agent/pod_volumes.h"
#include "guest-agent/volume_format.h"

namespace i2kit {
std::string DiskSerial(const std::string& class_block, const std::string& device) {
  std::string serial = ReadTextFile(class_block + "/" + device + "/serial");
  if (serial.empty()) serial = ReadTextFile(class_block + "/" + device + "/device/serial");
  while (!serial.empty() &&
         (serial.back() == '\n' || serial.back() == ' ' || serial.back() == '\0'))
    serial.pop_back();
  return serial;
}

Result<std::string> WaitForDiskBySerial(const std::string& class_block, const std::string& serial,
                                        std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    Result<std::vector<std::string>> devices = ListDirectory(class_block);
    if (!devices.ok()) return devices.status().WithContext("listing " + class_block);
    for (const std::string& device : *devices) {
      // Partitions have a "partition" file; only whole disks carry the serial.
      if (::access((class_block + "/" + device + "/partition").c_str(), F_OK) == 0) continue;
      if (device.find("..") == std::string::npos && DiskSerial(class_block, device) == serial)
        return "/dev/" + device;
    }
    if (std::chrono::steady_clock::now() >= deadline) {
      return Status::Error("no disk with serial '" + serial + "' in " + class_block);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

Result<std::map<std::string, std::string>> MountPersistentVolumes(
    const Deployment& pod, const PersistentVolumeDisks& disks, const std::string& mount_root,
    const std::function<void(const std::string&)>& note) {
  std::map<std::string, std::string> mounted;
  std::vector<const Volume*> volumes = PersistentVolumes(pod);
  for (size_t i = 0; i < volumes.size(); ++i) {
    const Volume& v = *volumes[i];
    std::string serial = pod_vm::kVolumeSerialPrefix + std::to_string(i);
    if (!disks.serials.empty()) {
      auto found = disks.serials.find(v.name);
      if (found == disks.serials.end()) {
        return Status::Error("volume " + v.name + " has no EBS volume in the instance's user data");
      }
      serial = found->second;
    }
    Result<std::string> device = WaitForDiskBySerial(disks.class_block, serial, disks.timeout);
    if (!device.ok()) return device.status().WithContext("volume " + v.name);
    Result<std::string> seed_bytes = ReadFileText(disks.seed_dir + "/" + v.name);
    if (!seed_bytes.ok()) return seed_bytes.status().WithContext("volume " + v.name + "'s seed");
    Result<VolumeSeed> seed = DecodeVolumeSeed(*seed_bytes);
    if (!seed.ok()) return seed.status().WithContext("volume " + v.name + "'s seed");
    Result<FormatOutcome> format = FormatIfBlank(*device, *seed);
    if (!format.ok()) return format.status().WithContext("volume " + v.name);
    if (format->formatted) note("volume " + v.name + ": " + *device + " was blank: formatted ext4");
    if (!format->warning.empty()) note("volume " + v.name + ": " + format->warning);
    std::string target = mount_root + "/" + v.name;
    if (Status s = MakeDirectories(target, 0700); !s.ok()) return s;
    if (::mount(device->c_str(), target.c_str(), "ext4", MS_NOSUID | MS_NODEV, "") != 0) {
      return SysError("mount", *device + " (ext4) on " + target).WithContext("volume " + v.name);
    }
    if (pod.pod_security.fs_group) {
      if (Status s = ApplyFsGroup(target, *pod.pod_security.fs_group, /*read_only=*/false,
                                  pod.pod_security.fs_group_on_root_mismatch);
          !s.ok()) {
        return s.WithContext("volume " + v.name);
      }
    }
    mounted[v.name] = target;
  }
  return mounted;
}

Status GiveShortFormatVolumes(const Deployment& pod, const Container& container,
                              const ImageConfig& image, std::string_view passwd,
                              std::string_view group,
                              const std::map<std::string, std::string>& mounted,
                              std::set<std::string>& given) {
  if (pod.format != ManifestFormat::kI2kit || pod.pod_security.fs_group) return Status::Ok();
  for (const VolumeMount& m : container.volume_mounts) {
    auto path = mounted.find(m.name);
    if (path == mounted.end() || !given.insert(m.name).second) continue;
    Result<ContainerUser> user = ResolveContainerUser(container, image, passwd, group);
    if (!user.ok()) return user.status();
    if (::chown(path->second.c_str(), user->uid, user->gid) != 0) {
      return SysError("chown", path->second).WithContext("volume " + m.name);
    }
  }
  return Status::Ok();
}

}  // namespace i2kit
