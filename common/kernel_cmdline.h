// Every kernel command line a Pod VM boots with, assembled here and nowhere else: the fixed
// part `build` writes into vm.json, the bootable disk's, the one `run` gives each replica, and
// the accelerator probe's. The keys the agent reads are pod_vm.h's; the agent parses them with
// KernelCmdlineValue (guest-agent/pid1.h).
#pragma once

#include <string>
#include <string_view>

namespace i2kit::pod_vm {

// Words separated by one space, in the order added.
class KernelCmdline {
 public:
  explicit KernelCmdline(std::string_view base = {}) : text_(base) {}
  KernelCmdline& Add(std::string_view word);
  KernelCmdline& Set(std::string_view key, std::string_view value);
  const std::string& str() const { return text_; }

 private:
  std::string text_;
};

// The guest's address on QEMU's user network (10.0.2.0/24, gateway .2, DNS .3), configured
// by the kernel itself: no DHCP client, no wait.
inline constexpr const char* kGuestIpConfig =
    "ip=10.0.2.15::10.0.2.2:255.255.255.0::eth0:off:10.0.2.3";

// vm.json's `cmdline`: the serial console, and a panic that resets (and so ends QEMU under
// -no-reboot, on microvm too: reboot=t), quietly.
std::string DirectBootCmdline();

// disk.raw's, the AMI's, with what Nitro needs: the serial console at 115200 8N1, as EC2's
// console output and serial console read it, and NVMe I/O that never times out (AWS's
// guidance for EBS, whose volumes may stall longer than the driver's 30 s default, which would
// fail the root disk); its network from DHCP, no IO-APIC timer check, and the roots found by
// partition name.
std::string BootDiskCmdline();

// The accelerator probe's: only a kernel boots, and its console must show it did.
std::string ProbeCmdline();

// What `run` appends to vm.json's command line for one replica.
struct ReplicaBoot {
  int replica = 0;
  int tsc_early_khz = 0;        // TCG: the TSC frequency the kernel cannot calibrate; 0: none
  bool local_metadata = false;  // the metadata service at kLocalMetadataAddress
};
std::string ReplicaCmdline(std::string_view base, const ReplicaBoot& boot);

}  // namespace i2kit::pod_vm
