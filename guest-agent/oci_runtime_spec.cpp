#include "guest-agent/oci_runtime_spec.h"

#include <algorithm>
#include <optional>

#include "guest-agent/capabilities.h"
#include "guest-agent/process_spec.h"
#include "guest-agent/seccomp_profile.h"

namespace i2kit {
namespace {

using Json = nlohmann::ordered_json;

// The soft limit stays at 1024 because select(2) cannot watch a descriptor above 1023; the
// hard limit lets a server that needs more raise its own soft limit (Go does so at start,
// nginx and the JVM when configured). The pair is systemd's default, which containerd 2
// passes on to Kubernetes' containers.
constexpr uint64_t kNofileSoft = 1024;
constexpr uint64_t kNofileHard = 524288;

// The CFS period Kubernetes uses, in microseconds, and the smallest quota the kernel takes.
constexpr int64_t kCpuPeriod = 100000;
constexpr int64_t kMinCpuQuota = 1000;

Json Mount(const char* destination, const char* type, const char* source,
           std::initializer_list<const char*> options) {
  return {{"destination", destination},
          {"type", type},
          {"source", source},
          {"options", std::vector<std::string>(options.begin(), options.end())}};
}

Json Mounts(const RuntimeSpecInputs& inputs) {
  Json mounts = Json::array({
      Mount("/proc", "proc", "proc", {"nosuid", "noexec", "nodev"}),
      // runc fills this /dev with the few devices a container may use (null, zero, full,
      // random, urandom, tty, ptmx): nothing of the VM's /dev is visible.
      Mount("/dev", "tmpfs", "tmpfs", {"nosuid", "strictatime", "mode=755", "size=65536k"}),
      // A private devpts instance: the container cannot reach the agent's terminals.
      Mount("/dev/pts", "devpts", "devpts",
            {"nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"}),
      Mount("/dev/shm", "tmpfs", "shm", {"nosuid", "noexec", "nodev", "mode=1777", "size=65536k"}),
      Mount("/dev/mqueue", "mqueue", "mqueue", {"nosuid", "noexec", "nodev"}),
      Mount("/sys", "sysfs", "sysfs", {"nosuid", "noexec", "nodev", "ro"}),
      // The VM runs cgroup v2 only; in the container's cgroup namespace this shows its own
      // cgroup as the root, read-only.
      Mount("/sys/fs/cgroup", "cgroup2", "cgroup2",
            {"nosuid", "noexec", "nodev", "relatime", "ro"}),
  });
  const std::pair<const char*, const std::string*> files[] = {
      {"/etc/resolv.conf", &inputs.resolv_conf},
      {"/etc/hosts", &inputs.hosts},
      {"/etc/hostname", &inputs.hostname_file}};
  for (const auto& [destination, source] : files) {
    if (source->empty()) continue;
    Json bind = Mount(destination, "bind", "", {"bind", "ro", "nosuid", "nodev", "noexec"});
    bind["source"] = *source;
    mounts.push_back(std::move(bind));
  }
  for (const RuntimeSpecInputs::VolumeBind& volume : inputs.volume_binds) {
    Json bind = Mount("", "bind", "", {"rbind", "rprivate", "nosuid", "nodev"});
    bind["destination"] = volume.destination;
    bind["source"] = volume.source;
    if (volume.read_only) bind["options"].push_back("ro");
    mounts.push_back(std::move(bind));
  }
  return mounts;
}

Json LinuxResources(const Resources& resources, int64_t pids_limit) {
  // Deny every device first; runc then allows its default devices again.
  Json out = {{"devices", Json::array({{{"allow", false}, {"access", "rwm"}}})}};
  if (resources.limits.memory_bytes) out["memory"] = {{"limit", *resources.limits.memory_bytes}};
  Json cpu = Json::object();
  if (resources.requests.cpu_millis) {
    // Kubernetes' weight of a request: 1024 shares per CPU, at least 2.
    cpu["shares"] = std::max<int64_t>(2, *resources.requests.cpu_millis * 1024 / 1000);
  }
  if (resources.limits.cpu_millis) {
    cpu["quota"] = std::max(kMinCpuQuota, *resources.limits.cpu_millis * kCpuPeriod / 1000);
    cpu["period"] = kCpuPeriod;
  }
  if (!cpu.empty()) out["cpu"] = std::move(cpu);
  if (pids_limit > 0) out["pids"] = {{"limit", pids_limit}};
  return out;
}

Json Namespaces() {
  Json namespaces = Json::array();
  for (const char* type : {"pid", "ipc", "uts", "mount", "cgroup"}) {
    namespaces.push_back({{"type", type}});
  }
  return namespaces;
}

// Paths through which a container could read kernel memory or secrets, or change the VM's
// kernel; masked ones read as empty, the others are read-only.
const std::vector<std::string> kMaskedPaths = {"/proc/acpi",
                                               "/proc/asound",
                                               "/proc/kcore",
                                               "/proc/keys",
                                               "/proc/latency_stats",
                                               "/proc/sched_debug",
                                               "/proc/scsi",
                                               "/proc/timer_list",
                                               "/proc/timer_stats",
                                               "/sys/firmware",
                                               "/sys/devices/virtual/powercap"};
const std::vector<std::string> kReadonlyPaths = {"/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys",
                                                 "/proc/sysrq-trigger"};

Result<std::optional<Json>> Seccomp(const SeccompProfile& profile, const std::string& root) {
  switch (profile.type) {
    case SeccompProfileType::kUnconfined:
      return std::optional<Json>();
    case SeccompProfileType::kLocalhost: {
      Result<Json> loaded = LoadLocalhostSeccompProfile(root, profile.localhost_profile);
      if (!loaded.ok()) return loaded.status();
      return std::optional<Json>(std::move(loaded).value());
    }
    case SeccompProfileType::kRuntimeDefault:
      break;
  }
  Result<Json> runtime_default = RuntimeDefaultSeccompProfile();
  if (!runtime_default.ok()) return runtime_default.status();
  return std::optional<Json>(std::move(runtime_default).value());
}

}  // namespace

Result<nlohmann::ordered_json> BuildRuntimeSpec(const Container& container,
                                                const ImageConfig& image,
                                                const RuntimeSpecInputs& inputs) {
  const SecurityContext& security = container.security_context;
  Result<ProcessSpec> process =
      BuildProcessSpec(container, image, inputs.hostname, inputs.passwd, inputs.group);
  if (!process.ok()) return process.status();
  Result<CapabilitySets> capabilities = ContainerCapabilities(security, process->user.uid);
  if (!capabilities.ok()) {
    return capabilities.status().WithContext("container " + container.name + ": securityContext");
  }
  Result<std::optional<Json>> seccomp =
      Seccomp(security.seccomp_profile, inputs.seccomp_profile_root);
  if (!seccomp.ok()) return seccomp.status().WithContext("container " + container.name);

  std::vector<uint32_t> gids = process->user.additional_gids;
  for (int64_t gid : inputs.pod_groups) {
    auto id = static_cast<uint32_t>(gid);
    if (id != process->user.gid && std::find(gids.begin(), gids.end(), id) == gids.end()) {
      gids.push_back(id);
    }
  }

  Json spec;
  spec["ociVersion"] = kOciVersion;
  spec["process"] = {
      {"terminal", false},
      {"user", {{"uid", process->user.uid}, {"gid", process->user.gid}, {"additionalGids", gids}}},
      {"args", process->args},
      {"env", process->env},
      {"cwd", process->cwd},
      {"capabilities", ToJson(*capabilities)},
      {"rlimits", {{{"type", "RLIMIT_NOFILE"}, {"hard", kNofileHard}, {"soft", kNofileSoft}}}},
      // i2kit's default is no privilege escalation: set-uid programs and file capabilities
      // give nothing beyond what the process already has.
      {"noNewPrivileges", !security.allow_privilege_escalation.value_or(false)},
  };
  spec["root"] = {{"path", inputs.rootfs}, {"readonly", security.read_only_root_filesystem}};
  if (!inputs.hostname.empty()) spec["hostname"] = inputs.hostname;
  spec["mounts"] = Mounts(inputs);
  Json linux = {{"resources", LinuxResources(container.resources, inputs.pids_limit)}};
  // Empty leaves the choice to runc (a path named after the container id).
  if (!inputs.cgroups_path.empty()) linux["cgroupsPath"] = inputs.cgroups_path;
  linux["namespaces"] = Namespaces();
  linux["maskedPaths"] = kMaskedPaths;
  linux["readonlyPaths"] = kReadonlyPaths;
  if (seccomp->has_value()) linux["seccomp"] = std::move(**seccomp);
  spec["linux"] = std::move(linux);
  return spec;
}

}  // namespace i2kit
