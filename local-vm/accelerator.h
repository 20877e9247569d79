// Which QEMU accelerator a Pod VM runs on. KVM is only chosen when it really works: on these
// development machines /dev/kvm exists but nested KVM hangs while the kernel boots, so `auto`
// boots the Pod's own kernel once under KVM with a short deadline (a probe) and falls back to
// TCG when it does not finish. The verdict is cached per host and kernel.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"

namespace i2kit {

enum class Accelerator { kKvm, kTcg };
enum class AcceleratorRequest { kAuto, kKvm, kTcg };

// "kvm" or "tcg".
const char* AcceleratorName(Accelerator accelerator);

// What one KVM probe found: whether the kernel booted to its end under KVM, and if not why.
struct KvmProbeResult {
  bool works = false;
  std::string detail;    // e.g. "the probe boot did not finish within 8 s"
  bool definite = true;  // false when the probe could not even run: not worth caching
};

// The facts the decision needs, injected so that the decision is testable without a host.
struct AcceleratorFacts {
  // Empty when /dev/kvm can be opened read-write, else why not ("open(/dev/kvm): EACCES").
  std::string kvm_device_problem;
  std::function<std::optional<KvmProbeResult>()> read_cached_probe;
  std::function<KvmProbeResult()> run_probe;
  std::function<void(const KvmProbeResult&)> write_cached_probe;
};

struct AcceleratorChoice {
  Accelerator accelerator = Accelerator::kTcg;
  std::string reason;   // one line for the operator: "kvm probe timed out (cached)"
  bool probed = false;  // a probe boot ran now
};

// auto: TCG without /dev/kvm; else the cached probe verdict, else a new probe (cached when
// definite).
// kvm: KVM as asked, failing if /dev/kvm is unusable. tcg: TCG, nothing asked of the host.
Result<AcceleratorChoice> ChooseAccelerator(AcceleratorRequest request,
                                            const AcceleratorFacts& facts);

// The host side of the facts: /dev/kvm, a cache file under `cache_dir` keyed by this host
// (name, kernel release and version), QEMU and the kernel's contents, and a probe that
// boots `kernel` with `qemu` under KVM for at most `probe_timeout`.
AcceleratorFacts HostAcceleratorFacts(const std::string& qemu, const std::string& kernel,
                                      const std::string& cache_dir,
                                      std::chrono::milliseconds probe_timeout);

// $XDG_CACHE_HOME/i2kit or ~/.cache/i2kit: where verdicts (and, by other parts, kernels) live.
std::string DefaultCacheDir();

// The probe's QEMU argv: the kernel alone, no initrd, so it panics at once for want of a root
// file system; panic=-1 and -no-reboot then make QEMU exit 0. Under KVM that takes well under a
// second; a hanging nested KVM never gets there.
std::vector<std::string> KvmProbeArgv(const std::string& qemu, const std::string& kernel,
                                      const std::string& console_path);

}  // namespace i2kit
