#include "local-vm/accelerator.h"

#include <fcntl.h>
#include <sys/utsname.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "common/event_log.h"
#include "common/kernel_cmdline.h"
#include "common/sys_error.h"
#include "common/temp_dir.h"
#include "local-vm/vm_process.h"

namespace i2kit {
namespace {

// The line a kernel prints when it has booted as far as it can without a root file system.
constexpr const char* kProbeEndMarker = "Kernel panic";

// FNV-1a, 64 bits: a stable name for the cache entry, not a security boundary.
std::string Fnv1aHex(std::string_view text) {
  uint64_t hash = 14695981039346656037ull;
  for (unsigned char c : text) {
    hash ^= c;
    hash *= 1099511628211ull;
  }
  char hex[17];
  std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(hash));
  return hex;
}

// What makes a verdict valid: this host's kernel (nested KVM's behaviour is the host's), QEMU,
// and the guest kernel's contents (every artifacts directory has its own copy of the same one).
std::string ProbeCacheKey(const std::string& qemu, const std::string& kernel) {
  std::ostringstream key;
  utsname host{};
  if (::uname(&host) == 0) key << host.nodename << '\n' << host.release << '\n' << host.version;
  std::ifstream in(kernel, std::ios::binary);
  std::stringstream contents;
  contents << in.rdbuf();
  key << '\n' << Fnv1aHex(contents.str()) << '\n' << qemu;
  return Fnv1aHex(key.str());
}

std::string KvmDeviceProblem() {
  int fd = ::open("/dev/kvm", O_RDWR | O_CLOEXEC);
  if (fd < 0) return SysError("open", "/dev/kvm").message();
  ::close(fd);
  return "";
}

std::string LastLine(const std::string& path) {
  std::ifstream in(path);
  std::string line, last;
  while (std::getline(in, line)) {
    if (!line.empty()) last = line;
  }
  return last;
}

bool FileContains(const std::string& path, std::string_view needle) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str().find(needle) != std::string::npos;
}

KvmProbeResult RunKvmProbe(const std::string& qemu, const std::string& kernel,
                           std::chrono::milliseconds timeout) {
  Result<TempDir> dir = TempDir::Create(std::filesystem::temp_directory_path(), "i2kit-kvm-probe");
  if (!dir.ok()) return {false, dir.status().message(), false};
  std::string console = dir->path() + "/console.log";
  std::string qemu_log = dir->path() + "/qemu.log";
  UniqueFd output(::open(qemu_log.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
  if (!output.valid()) return {false, SysError("open", qemu_log).message(), false};
  Result<VmProcess> process =
      VmProcess::Spawn({KvmProbeArgv(qemu, kernel, console), "", output.get(), -1});
  if (!process.ok()) return {false, process.status().message(), false};
  if (!process.value().WaitForExit(timeout)) {
    // Nested KVM's failure mode here: the vCPU stops with an internal error and QEMU waits.
    return {false, "the probe boot under KVM did not finish within " + FormatSeconds(timeout)};
  }
  std::optional<int> status = process.value().wait_status();
  if (!status || *status != 0 || !FileContains(console, kProbeEndMarker)) {
    std::string why = status ? DescribeWaitStatus(*status) : "ended";
    std::string last = LastLine(qemu_log);
    return {false, "the probe boot under KVM " + why + (last.empty() ? "" : ": " + last)};
  }
  return {true, ""};
}

std::optional<KvmProbeResult> ReadCachedProbe(const std::string& path) {
  std::ifstream in(path);
  std::string verdict, detail;
  if (!std::getline(in, verdict)) return std::nullopt;
  std::getline(in, detail);
  if (verdict == "kvm") return KvmProbeResult{true, detail};
  if (verdict == "tcg") return KvmProbeResult{false, detail};
  return std::nullopt;
}

// Written to a temporary name then renamed, so a reader never sees half a verdict. A cache that
// cannot be written only costs the next run another probe.
void WriteCachedProbe(const std::string& path, const KvmProbeResult& result) {
  std::error_code error;
  std::filesystem::create_directories(std::filesystem::path(path).parent_path(), error);
  std::string temporary = path + ".tmp." + std::to_string(::getpid());
  {
    std::ofstream out(temporary, std::ios::trunc);
    out << (result.works ? "kvm" : "tcg") << '\n' << result.detail << '\n';
    if (!out) return;
  }
  std::filesystem::rename(temporary, path, error);
  if (error) std::filesystem::remove(temporary, error);
}

}  // namespace

const char* AcceleratorName(Accelerator accelerator) {
  return accelerator == Accelerator::kKvm ? "kvm" : "tcg";
}

Result<AcceleratorChoice> ChooseAccelerator(AcceleratorRequest request,
                                            const AcceleratorFacts& facts) {
  switch (request) {
    case AcceleratorRequest::kTcg:
      return AcceleratorChoice{Accelerator::kTcg, "tcg as asked", false};
    case AcceleratorRequest::kKvm:
      if (!facts.kvm_device_problem.empty()) {
        return Status::Error("--accel kvm: " + facts.kvm_device_problem);
      }
      return AcceleratorChoice{Accelerator::kKvm, "kvm as asked", false};
    case AcceleratorRequest::kAuto:
      break;
  }
  if (!facts.kvm_device_problem.empty()) {
    return AcceleratorChoice{Accelerator::kTcg, "no usable KVM: " + facts.kvm_device_problem,
                             false};
  }
  if (std::optional<KvmProbeResult> cached = facts.read_cached_probe()) {
    if (cached->works)
      return AcceleratorChoice{Accelerator::kKvm, "kvm probe passed (cached)", false};
    return AcceleratorChoice{Accelerator::kTcg, "kvm probe failed (cached): " + cached->detail,
                             false};
  }
  KvmProbeResult probe = facts.run_probe();
  if (probe.definite) facts.write_cached_probe(probe);
  if (probe.works) return AcceleratorChoice{Accelerator::kKvm, "kvm probe passed", true};
  return AcceleratorChoice{Accelerator::kTcg, "kvm probe failed: " + probe.detail, true};
}

std::vector<std::string> KvmProbeArgv(const std::string& qemu, const std::string& kernel,
                                      const std::string& console_path) {
  // reboot=t: microvm has no reset register the kernel's default reboot path finds; a triple
  // fault resets the VM, which -no-reboot turns into QEMU's exit.
  return {qemu,
          "-M",
          "microvm",
          "-accel",
          "kvm",
          "-nodefaults",
          "-no-user-config",
          "-nographic",
          "-no-reboot",
          "-m",
          "64",
          "-kernel",
          kernel,
          "-append",
          pod_vm::ProbeCmdline(),
          "-serial",
          "file:" + console_path};
}

AcceleratorFacts HostAcceleratorFacts(const std::string& qemu, const std::string& kernel,
                                      const std::string& cache_dir,
                                      std::chrono::milliseconds probe_timeout) {
  std::string cache_file = cache_dir + "/accel/kvm-probe-" + ProbeCacheKey(qemu, kernel);
  AcceleratorFacts facts;
  facts.kvm_device_problem = KvmDeviceProblem();
  facts.read_cached_probe = [cache_file] { return ReadCachedProbe(cache_file); };
  facts.run_probe = [qemu, kernel, probe_timeout] {
    return RunKvmProbe(qemu, kernel, probe_timeout);
  };
  facts.write_cached_probe = [cache_file](const KvmProbeResult& result) {
    WriteCachedProbe(cache_file, result);
  };
  return facts;
}

std::string DefaultCacheDir() {
  const char* xdg = std::getenv("XDG_CACHE_HOME");
  if (xdg != nullptr && xdg[0] == '/') return std::string(xdg) + "/i2kit";
  const char* home = std::getenv("HOME");
  return std::string(home != nullptr ? home : "/tmp") + "/.cache/i2kit";
}

}  // namespace i2kit
