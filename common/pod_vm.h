// What the host and the guest agent agree on about a Pod VM: where the agent finds its Pod,
// which kernel command-line keys it reads, and where it answers. One place, so that the
// image builder, the agent and `i2kit-host run` cannot drift apart. The README has the table.
#pragma once

namespace i2kit::pod_vm {

// The Pod spec inside the initrd: JSON with the deployment (pod_model_json.h) and, per
// container, its ImageConfig, root filesystem device and /etc/passwd and /etc/group text.
inline constexpr const char* kPodSpecPath = "/etc/i2kit/pod.json";

// runc and the shared libraries it loads, as a compressed read-only EROFS image inside the
// initrd, laid out as a merged /usr (bin/, lib/, lib64/). The agent loop-mounts it at
// kSystemMount instead of unpacking it: in a tmpfs those ~13 MiB would stay in the guest's
// RAM for good, while pages read through the image are page cache the kernel can reclaim.
inline constexpr const char* kSystemImagePath = "/system.erofs";
inline constexpr const char* kSystemMount = "/usr";

// The agent's health endpoint (GET /healthz, /readyz, /status) listens on this TCP port on
// every address of the VM; nothing else listens there.
inline constexpr int kAgentPort = 8089;
// The agent's exec server (`i2kit-host exec`; guest-agent/exec_server.h), blocked for the
// containers like kAgentPort.
inline constexpr int kExecPort = 8090;

// Kernel command-line keys, all prefixed "i2kit.".
inline constexpr const char* kCmdlineReplica = "i2kit.replica";  // replica number, from 0
// The agent's console level: debug, info (the default), warn, error or off.
inline constexpr const char* kCmdlineLogLevel = "i2kit.log_level";
// Where the instance-metadata service answers (EC2's IMDSv2 paths, and the local service
// directory): absent means EC2's own address, kEc2MetadataAddress.
inline constexpr const char* kCmdlineMetadata = "i2kit.metadata";
inline constexpr const char* kEc2MetadataAddress = "169.254.169.254";
// Locally, QEMU's user network hands connections to this address (inside its 10.0.2.0/24,
// where guest forwarding rules must point) to `i2kit-host metadata-serve`.
inline constexpr const char* kLocalMetadataAddress = "10.0.2.4";
// And this one (its gateway) to the host's own 127.0.0.1: where the host's load balancers for
// the local service directory listen, and also whatever else the developer runs there.
inline constexpr const char* kLocalHostAddress = "10.0.2.2";

// The path under the metadata service that lists the deployments a Pod can reach by name
// (common/service_directory.h). Not an EC2 path: on EC2 names come from Route 53.
inline constexpr const char* kServiceDirectoryPath = "/i2kit/v1/services";
// The path under the local metadata service that gives the Pod's Secrets (common/
// pod_secrets.h's JSON), to the agent at boot and to no container (they cannot reach the
// service). Not an EC2 path: on EC2 they come from Secrets Manager.
inline constexpr const char* kPodSecretsPath = "/i2kit/v1/secrets";
// The path under the local metadata service that gives the replica's exec key: the agent's exec
// server runs only a request that carries it. Not on EC2, where exec is not served.
inline constexpr const char* kExecKeyPath = "/i2kit/v1/exec-key";
// The path under the local metadata service where the agent, with a PUT and no token, learns
// its replica number, the time and fresh entropy (common/boot_identity.h); "503 not yet" while
// the host snapshots the VM for warm starts (local-vm/vm_snapshot.h). Not on EC2.
inline constexpr const char* kBootIdentityPath = "/i2kit/v1/boot";
// The agent's DNS server for the containers (they share the VM's network): names in the
// directory are answered here, everything else is forwarded to the VM's own resolver.
inline constexpr const char* kPodDnsAddress = "127.0.0.53";

// Container root filesystems are read-only EROFS images on virtio block devices, attached in
// the order of the Pod's containers: the first is /dev/vda.
inline constexpr const char* kFirstRootfsDevice = "/dev/vda";
// On the bootable disk (disk.raw) they are partitions of the boot disk instead, /dev/vdaN on
// virtio or /dev/nvme0n1pN on EC2, with the container's GPT partition name: this key, with
// the value kRootfsByPartition, tells the agent to find them by that name.
inline constexpr const char* kCmdlineRootfs = "i2kit.rootfs";
inline constexpr const char* kRootfsByPartition = "partname";

// The bootable disk also carries the EC2 reporter (i2kit-ec2-reporter: the CloudFormation
// signal, instance health, CloudWatch metrics and logs) on a partition of this name — a space
// is in no container name, so none can take it — holding kEc2ReporterBinary and the CA
// bundle kEc2CaBundle. Only the disk has it: only EC2 boots the disk. The agent mounts it
// read-only at kEc2Mount and runs the reporter unprivileged beside the containers.
inline constexpr const char* kEc2PartitionName = "i2kit ec2";
inline constexpr const char* kEc2Mount = "/run/i2kit/ec2";
inline constexpr const char* kEc2ReporterBinary = "bin/i2kit-ec2-reporter";
inline constexpr const char* kEc2CaBundle = "etc/ssl/certs/ca-certificates.crt";

// Persistent volumes (pod_model.h VolumeType::kPersistent) are ext4 disks attached after the
// container disks, the i-th of the Pod's with this prefix and i as its disk serial
// (/sys/class/block/<dev>/serial). The agent mounts each at kVolumesMount/<volume name>
// before any container starts, and containers bind-mount it from there.
inline constexpr const char* kVolumeSerialPrefix = "i2kit-vol";
inline constexpr const char* kVolumesMount = "/run/i2kit/persistent";
// Each persistent volume's seed (common/volume_seed.h), the file <volume name> in this
// directory of the system image (kSystemImagePath, compressed), so at kSystemMount/this in the
// guest: the agent writes it on a blank disk instead of running a mkfs.
inline constexpr const char* kVolumeSeedDir = "share/i2kit/volume-seeds";

// The boot-timeline mark the agent takes once it learned its replica's identity (the host's
// merge, local-vm/boot_timeline.h): in a VM restored from a snapshot, the first of its own; the
// marks before it are the snapshot's boot.
inline constexpr const char* kPhaseBootIdentity = "boot-identity";

}  // namespace i2kit::pod_vm
