#include "common/kernel_cmdline.h"

#include "common/pod_vm.h"

namespace i2kit::pod_vm {
namespace {

// Every boot: a panicking guest resets, and -no-reboot makes that QEMU's exit (reboot=t: the
// triple-fault reset, which microvm also has).
constexpr const char* kPanicResets[] = {"panic=-1", "reboot=t"};

KernelCmdline PanicResets(std::string_view console) {
  KernelCmdline cmdline(console);
  for (const char* word : kPanicResets) cmdline.Add(word);
  return cmdline;
}

}  // namespace

KernelCmdline& KernelCmdline::Add(std::string_view word) {
  if (!text_.empty() && text_.back() != ' ') text_ += ' ';
  text_ += word;
  return *this;
}

KernelCmdline& KernelCmdline::Set(std::string_view key, std::string_view value) {
  return Add(std::string(key) + "=" + std::string(value));
}

std::string DirectBootCmdline() {
  return PanicResets("console=ttyS0").Add("quiet").str();
}

std::string BootDiskCmdline() {
  // A second console= for the same port would be ignored, hence the disk's own.
  return PanicResets("console=ttyS0,115200n8")
      .Add("quiet")
      .Set("nvme_core.io_timeout", "4294967295")
      .Add("ip=dhcp")
      // The kernel sets it itself under KVM (Nitro); the disk tests boot it under TCG, where
      // the IO-APIC timer check can miss its ticks on a busy host and panic (kernel-boot test).
      .Add("no_timer_check")
      .Set(kCmdlineRootfs, kRootfsByPartition)
      .str();
}

std::string ProbeCmdline() {
  return PanicResets("console=ttyS0").str();
}

std::string ReplicaCmdline(std::string_view base, const ReplicaBoot& boot) {
  KernelCmdline cmdline(base);
  cmdline.Set(kCmdlineReplica, std::to_string(boot.replica)).Add(kGuestIpConfig);
  if (boot.tsc_early_khz > 0) cmdline.Set("tsc_early_khz", std::to_string(boot.tsc_early_khz));
  if (boot.local_metadata) cmdline.Set(kCmdlineMetadata, kLocalMetadataAddress);
  return cmdline.str();
}

}  // namespace i2kit::pod_vm
