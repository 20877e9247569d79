#include "local-vm/qemu_command.h"

#include "common/kernel_cmdline.h"
#include "common/pod_vm.h"

namespace i2kit {
namespace {

std::string Resolve(const std::string& dir, const std::string& path) {
  if (path.empty() || path.front() == '/' || dir.empty()) return path;
  return dir.back() == '/' ? dir + path : dir + "/" + path;
}

// QEMU's option syntax: a comma inside a value is written as two commas.
std::string EscapeCommas(const std::string& value) {
  std::string escaped;
  for (char c : value) {
    escaped += c;
    if (c == ',') escaped += ',';
  }
  return escaped;
}

std::string HostForward(Protocol protocol, int host_port, int guest_port) {
  return std::string(",hostfwd=") + (protocol == Protocol::kUdp ? "udp" : "tcp") +
         ":127.0.0.1:" + std::to_string(host_port) + "-:" + std::to_string(guest_port);
}

}  // namespace

std::vector<std::string> QemuArgv(const VmArtifacts& artifacts, const std::string& artifacts_dir,
                                  const QemuOptions& options) {
  std::vector<std::string> argv = {options.qemu, "-M", "microvm"};
  if (options.accelerator == Accelerator::kKvm) {
    // No -cpu: `-cpu host` aborts under nested KVM here, and KVM's default model suffices.
    argv.insert(argv.end(), {"-accel", "kvm"});
  } else {
    // -cpu max: containers get the x86-64-v2+ instructions many images are built for (the
    // default qemu64 model lacks SSE4.2 and POPCNT).
    argv.insert(argv.end(),
                {"-accel", "tcg,tb-size=" + std::to_string(options.tcg_cache_mib), "-cpu", "max"});
  }
  int memory = options.memory_mib > 0 ? options.memory_mib : artifacts.memory_mib;
  argv.insert(argv.end(), {"-nodefaults", "-no-user-config", "-nographic", "-no-reboot", "-m",
                           std::to_string(memory), "-smp", std::to_string(artifacts.cpus)});
  std::string kernel =
      options.kernel.empty() ? Resolve(artifacts_dir, artifacts.kernel) : options.kernel;
  pod_vm::ReplicaBoot boot;
  boot.replica = options.replica;
  if (options.accelerator == Accelerator::kTcg) boot.tsc_early_khz = options.tcg_tsc_khz;
  boot.local_metadata = !options.metadata_command.empty();
  std::string cmdline = pod_vm::ReplicaCmdline(artifacts.cmdline, boot);
  argv.insert(argv.end(), {"-kernel", kernel, "-initrd", Resolve(artifacts_dir, artifacts.initrd),
                           "-append", cmdline});
  // Devices are created in argument order, so the first disk is the first container's /dev/vda.
  for (size_t i = 0; i < artifacts.disks.size(); ++i) {
    std::string id = "disk" + std::to_string(i);
    argv.insert(argv.end(),
                {"-drive",
                 "if=none,format=raw,readonly=on,file=" +
                     EscapeCommas(Resolve(artifacts_dir, artifacts.disks[i])) + ",id=" + id,
                 "-device", "virtio-blk-device,drive=" + id});
  }
  // After the container disks, so that those keep their names (/dev/vda, ...). QEMU takes a
  // write lock on each image: a second VM of the same volume fails to start.
  for (size_t i = 0; i < options.volume_images.size(); ++i) {
    std::string id = "volume" + std::to_string(i);
    argv.insert(argv.end(), {"-drive",
                             "if=none,format=raw,discard=unmap,file=" +
                                 EscapeCommas(options.volume_images[i]) + ",id=" + id,
                             "-device",
                             "virtio-blk-device,drive=" + id +
                                 ",serial=" + pod_vm::kVolumeSerialPrefix + std::to_string(i)});
  }
  // No IPv6 on the user network: the guest is configured for IPv4 only, and its IPv6 host
  // alias (fec0::2) would be one more way to the host's loopback (the agent blocks the IPv4
  // one, pod_vm.h kLocalHostAddress, for containers).
  std::string netdev = "user,id=n0,ipv6=off" +
                       HostForward(Protocol::kTcp, options.agent_host_port, pod_vm::kAgentPort);
  if (options.exec_host_port != 0) {
    netdev += HostForward(Protocol::kTcp, options.exec_host_port, pod_vm::kExecPort);
  }
  for (const PublishedPort& port : options.ports) {
    netdev += HostForward(port.protocol, port.host_port, port.container_port);
  }
  if (!options.metadata_command.empty()) {
    // One process per guest connection, its stdin and stdout the connection (libslirp).
    netdev += std::string(",guestfwd=tcp:") + pod_vm::kLocalMetadataAddress +
              ":80-cmd:" + EscapeCommas(options.metadata_command);
  }
  argv.insert(
      argv.end(),
      {"-netdev", netdev, "-device", "virtio-net-device,netdev=n0", "-device", "virtio-rng-device",
       // Appending: the controller empties the file in place to bound it
       // (rotating_log.h), and QEMU must then write at its new end.
       "-chardev", "file,id=console,append=on,path=" + EscapeCommas(options.console_log), "-serial",
       "chardev:console", "-qmp",
       "unix:" + EscapeCommas(options.qmp_socket) + ",server=on,wait=off"});
  return argv;
}

}  // namespace i2kit
