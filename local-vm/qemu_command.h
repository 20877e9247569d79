// The QEMU command line of one Pod VM replica, as a pure function of the artifacts and the
// run's choices: the microvm machine (virtio-mmio devices, no firmware or PCI to initialise),
// read-only disks in container order, QEMU's user network with the Pod's published ports and
// the agent's port forwarded from 127.0.0.1, the serial console to a file and a QMP socket.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/vm_artifacts.h"
#include "local-vm/accelerator.h"
#include "local-vm/port_mapping.h"

namespace i2kit {

struct QemuOptions {
  std::string qemu = "qemu-system-x86_64";
  Accelerator accelerator = Accelerator::kTcg;
  // Under TCG each VM's translation cache costs its size in host RAM (QEMU's default: tens
  // of MB); a minimal guest runs well with 32 MiB.
  int tcg_cache_mib = 32;
  // Under TCG, the guest TSC's rate in kHz (host_tsc.h), given to the kernel as tsc_early_khz=
  // so it need not calibrate; 0 leaves the kernel to calibrate.
  int64_t tcg_tsc_khz = 0;
  int replica = 0;
  std::string kernel;  // overrides the artifacts' kernel when set (--kernel)
  int memory_mib = 0;  // overrides the artifacts' memory when positive (--memory)
  std::vector<PublishedPort> ports;
  int agent_host_port = 0;  // 127.0.0.1 port forwarded to the agent's port in the guest
  int exec_host_port = 0;   // and to its exec server's (0: none)
  // Where QEMU writes the console and serves QMP. Relative paths are resolved against QEMU's
  // working directory, the replica's state dir: short unix socket paths, whatever $HOME is.
  // When set, the command QEMU starts for each guest connection to the metadata address
  // (pod_vm.h kLocalMetadataAddress:80), e.g. "/usr/bin/i2kit-host metadata-serve"; the guest
  // is told that address on its command line.
  std::string metadata_command;
  // Disk images of the Pod's persistent volumes (volume_images.h), in the artifacts' volume
  // order, attached writable after the container disks with the serials the guest looks for.
  std::vector<std::string> volume_images;
  std::string console_log = "console.log";
  std::string qmp_socket = "qmp.sock";
};

// The full argv, argv[0] being options.qemu. Artifact paths relative in vm.json are joined to
// `artifacts_dir`, which should be absolute (QEMU runs in the state dir).
std::vector<std::string> QemuArgv(const VmArtifacts& artifacts, const std::string& artifacts_dir,
                                  const QemuOptions& options);

}  // namespace i2kit
