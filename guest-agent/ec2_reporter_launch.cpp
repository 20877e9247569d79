#include "guest-agent/ec2_reporter_launch.h"

#include <sys/mount.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "common/pod_vm.h"
#include "guest-agent/container_runtime.h"
#include "guest-agent/file_tree.h"
#include "guest-agent/partition_by_name.h"

namespace i2kit {

Result<std::optional<Ec2ReporterFiles>> MountEc2Partition(const std::string& class_block,
                                                          const std::string& mount_point) {
  Result<std::optional<std::string>> found =
      LookUpPartitionByName(class_block, pod_vm::kEc2PartitionName);
  if (!found.ok()) return found.status();
  if (!*found) return std::optional<Ec2ReporterFiles>();
  const std::string& device = **found;
  if (Status s = MakeDirectories(mount_point); !s.ok()) return s;
  if (::mount(device.c_str(), mount_point.c_str(), "erofs", MS_RDONLY | MS_NOSUID | MS_NODEV,
              nullptr) != 0) {
    return Status::Error("mount(" + device + ", " + mount_point +
                         ", erofs): " + std::strerror(errno));
  }
  Ec2ReporterFiles files;
  files.binary = mount_point + "/" + pod_vm::kEc2ReporterBinary;
  files.ca_file = mount_point + "/" + pod_vm::kEc2CaBundle;
  if (::access(files.binary.c_str(), X_OK) != 0) {
    return Status::Error(device + " (" + pod_vm::kEc2PartitionName + ") has no " +
                         pod_vm::kEc2ReporterBinary);
  }
  return std::optional<Ec2ReporterFiles>(files);
}

AuxiliaryProcess Ec2ReporterProcess(const Ec2ReporterFiles& files, int agent_port,
                                    const std::string& metadata_address, LogLevel log_level) {
  std::vector<std::string> argv = {files.binary,
                                   "--agent-url",
                                   "http://127.0.0.1:" + std::to_string(agent_port) + "/",
                                   "--metadata-url",
                                   "http://" + metadata_address + "/",
                                   "--ca-bundle",
                                   files.ca_file,
                                   "--log-level",
                                   LogLevelName(log_level)};
  return {"ec2-reporter", [argv] {
            // The agent's stdout and stderr are the console.
            return SpawnProcess(argv, -1, STDOUT_FILENO, STDERR_FILENO, kEc2ReporterIdentity);
          }};
}

}  // namespace i2kit
