// What `i2kit-host build` leaves for each Deployment, and `run` boots: a directory holding the
// kernel, the initrd, one EROFS image per container, and vm.json describing them. Paths in
// vm.json are relative to that directory, so it can be moved or copied whole.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "common/balancer_plan.h"
#include "common/pod_model.h"
#include "common/status.h"

namespace i2kit {

struct VmPort {
  int container_port = 0;
  Protocol protocol = Protocol::kTcp;
  bool operator==(const VmPort&) const = default;
};

// A persistent volume of the Pod (pod_model.h VolumeType::kPersistent): `run` attaches one
// disk image of it, kept in the state dir (volume_images.h), to whichever VM runs the Pod.
struct VmVolume {
  std::string name;
  int64_t size_bytes = 0;
  bool operator==(const VmVolume&) const = default;
};

// The same kernel as the artifacts' bzImage, uncompressed: scripts/build-kernel.sh's stripped
// vmlinux, whose PVH entry QEMU's -kernel boots directly, skipping the bzImage's decompression.
// Shared by every build, outside the artifacts directory (and the AMI), so it is recorded with
// digests that bind it to this build's kernel: `run` boots it only while both files still have
// them (local-vm/boot_kernel.h). All empty: none.
struct DirectKernel {
  std::string path;           // absolute
  std::string sha256;         // "sha256:<hex>" of the file at `path` when built
  std::string kernel_sha256;  // of the artifacts' `kernel`, the bzImage it is the same kernel as
  bool operator==(const DirectKernel&) const = default;
};

struct VmArtifacts {
  std::string deployment;  // the Deployment's name
  int replicas = 1;
  std::string kernel = "bzImage";  // relative to the artifacts directory
  std::string initrd = "initrd.img";
  std::vector<std::string> disks;  // one EROFS image per container, in container order
  int memory_mib = 64;             // guest RAM
  int cpus = 1;
  std::string cmdline;  // the fixed part; `run` appends network and replica keys
  DirectKernel direct_kernel;
  // The bootable GPT disk (image-builder/boot_disk.h): kernel, initrd and the disks above as
  // partitions, booting with UEFI or legacy BIOS, its network from DHCP. "" if not built.
  std::string boot_disk;
  std::string boot_cmdline;   // the command line its loaders give the kernel
  std::vector<VmPort> ports;  // container ports a user may publish
  int termination_grace_period_seconds = 30;
  // The Deployment's rollout rules, resolved against `replicas` (pod_model.h).
  int max_surge = 1;
  int max_unavailable = 0;
  bool recreate = false;
  int progress_deadline_seconds = 600;
  std::map<std::string, std::string> labels;  // the Pod template's, for Service selectors
  std::string image_digest;                   // sha256 over every artifact: the VM image's identity
  // sha256 over every input of the build (build_key.h): equal keys, equal artifacts. "" for
  // artifacts built before it was recorded, which are never reused.
  std::string build_key;
  // In the order of the Pod's volumes; the guest finds the i-th by its disk serial
  // (pod_vm.h kVolumeSerialPrefix + i).
  std::vector<VmVolume> volumes;
  // The whole manifest's Service plan (common/balancer_plan.h), the same in every Deployment
  // built from it: `run` publishes NodePorts and records Services from it, not the manifest.
  std::vector<ServicePlan> services;
  bool operator==(const VmArtifacts&) const = default;
};

inline constexpr const char* kVmArtifactsFile = "vm.json";

// Writes DIR/vm.json.
Status WriteVmArtifacts(const std::string& dir, const VmArtifacts& artifacts);
// Reads DIR/vm.json; errors name the file and the field.
Result<VmArtifacts> ReadVmArtifacts(const std::string& dir);

}  // namespace i2kit
