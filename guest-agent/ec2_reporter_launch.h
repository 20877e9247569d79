// Starting the EC2 reporter beside the Pod. It talks to AWS (TLS, XML, JSON from the network),
// so it is not part of PID 1: it is its own static program on the boot disk's EC2 partition
// (pod_vm.h kEc2PartitionName), run as a uid no container can have (kEc2ReporterIdentity)
// with no capabilities and no_new_privs, a client of the agent's health endpoint like the
// load balancer. Only a disk boot has the partition; without it (a local `run`) nothing starts.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "common/log_level.h"
#include "common/status.h"
#include "guest-agent/supervisor.h"

namespace i2kit {

struct Ec2ReporterFiles {
  std::string binary;   // the reporter, on the mounted partition
  std::string ca_file;  // the CA bundle it verifies AWS endpoints with
};

// Mounts the EC2 partition (EROFS, read-only, nosuid, nodev) at `mount_point` when a block
// device under `class_block` carries it; nullopt when none does.
Result<std::optional<Ec2ReporterFiles>> MountEc2Partition(const std::string& class_block,
                                                          const std::string& mount_point);

// The reporter as an auxiliary process of the supervisor: it reads the Pod's state from the
// agent at 127.0.0.1:`agent_port` and the instance's identity from the metadata service at
// `metadata_address`. Its output goes to the console, prefixed by its own lines, at or above
// `log_level` (the agent's own, i2kit.log_level=).
AuxiliaryProcess Ec2ReporterProcess(const Ec2ReporterFiles& files, int agent_port,
                                    const std::string& metadata_address, LogLevel log_level);

// The deployment's Secrets on EC2, as their JSON (common/pod_secrets.h): the reporter run once,
// `secrets` mode, under its own identity, reads them from Secrets Manager with the instance
// role and writes them to a pipe the agent reads; its lines go to the console and never hold a
// value. Fails with its exit code when it gave none. For pod_secrets.h FetchPodSecrets, which
// retries.
Result<std::string> FetchEc2DeploymentSecrets(const Ec2ReporterFiles& files,
                                              const std::string& metadata_address,
                                              LogLevel log_level);

// The deployment's EBS volumes attached to this instance: the reporter run once,
// `attach-volumes` mode, under its own identity, attaches each volume of the user data and
// waits until it is attached (or, failing within the startup deadline, signals the startup
// FAILURE with its reason itself and exits 1). Returns volume name → NVMe serial of its disk
// (the volume id without its dash), from its stdout's "NAME SERIAL" lines.
Result<std::map<std::string, std::string>> AttachEc2Volumes(const Ec2ReporterFiles& files,
                                                            const std::string& metadata_address,
                                                            LogLevel log_level);

// The "NAME SERIAL" lines of attach-volumes' stdout as a map; another line is an error.
Result<std::map<std::string, std::string>> ParseAttachedVolumes(std::string_view text);

}  // namespace i2kit
