#include "guest-agent/agent.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <sys/reboot.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>

#include "common/async_console_log.h"
#include "common/pod_spec.h"
#include "common/pod_vm.h"
#include "common/text_file.h"
#include "common/unique_fd.h"
#include "guest-agent/container_network_filter.h"
#include "guest-agent/container_root.h"
#include "guest-agent/ec2_reporter_launch.h"
#include "guest-agent/env_resolution.h"
#include "guest-agent/exec_server.h"
#include "guest-agent/file_tree.h"
#include "guest-agent/oci_runtime_spec.h"
#include "guest-agent/partition_by_name.h"
#include "guest-agent/persistent_volume.h"
#include "guest-agent/pid1.h"
#include "guest-agent/pod_field.h"
#include "guest-agent/pod_secrets.h"
#include "guest-agent/pod_status.h"
#include "guest-agent/pod_volumes.h"
#include "guest-agent/power_button.h"
#include "guest-agent/replica_identity.h"
#include "guest-agent/runc_runtime.h"
#include "guest-agent/self_confinement.h"
#include "guest-agent/service_discovery.h"
#include "guest-agent/supervisor.h"

namespace i2kit {
namespace {

// Every container's cgroup is below this one (linux.cgroupsPath "/i2kit/NAME"): the network
// filter sits on it, the agent and the EC2 reporter stay outside it.
constexpr const char* kContainersCgroup = "/i2kit";

// QEMU's user-mode network answers DNS here; on EC2 the kernel's DHCP supplies the server.
constexpr const char* kFallbackDns = "10.0.2.3";

// The level the kernel command line asks for (i2kit.log_level=), else info.
LogLevel ConsoleLevel() {
  std::string name = KernelCmdlineValue(ReadTextFile("/proc/cmdline"), pod_vm::kCmdlineLogLevel);
  return ParseLogLevel(name).value_or(LogLevel::kInfo);
}

// The files every container sees at /etc/hostname and /etc/hosts (/etc/resolv.conf is the
// VM's: PID 1 writes it when it configures the network, otherwise it is the host's).
Status WritePodEtc(const std::string& etc, const std::string& hostname) {
  if (Status s = MakeDirectories(etc); !s.ok()) return s;
  if (Status s = WriteTextFile(etc + "/hostname", hostname + "\n"); !s.ok()) return s;
  return WriteTextFile(etc + "/hosts", "127.0.0.1\tlocalhost " + hostname + "\n::1\tlocalhost\n");
}

// The first nameserver of a resolv.conf, or "".
std::string FirstNameserver(const std::string& resolv_conf) {
  std::string text = ReadTextFile(resolv_conf);
  for (std::string_view line : SplitLines(text)) {
    if (line.starts_with("nameserver ")) return std::string(line.substr(11));
  }
  return "";
}

// Where the instance-metadata service answers: the kernel command line's, else EC2's.
std::string MetadataAddress() {
  std::string metadata =
      KernelCmdlineValue(ReadTextFile("/proc/cmdline"), pod_vm::kCmdlineMetadata);
  return metadata.empty() ? pod_vm::kEc2MetadataAddress : metadata;
}

// The containers' resolver becomes the agent's own (service_discovery.h), relaying to the VM's;
// if it cannot listen, the containers keep the VM's resolver and lose only the local names.
std::unique_ptr<ServiceDiscovery> BindServiceDiscovery(
    const std::string& etc, const std::function<void(const std::string&)>& console) {
  DiscoveryOptions options;
  options.dns_address = pod_vm::kPodDnsAddress;
  options.upstream_dns = FirstNameserver(etc + "/resolv.conf");
  options.metadata_address = MetadataAddress();
  options.redirect_cgroup = "/sys/fs/cgroup";  // the root: every container's cgroup is below
  options.console = console;
  Result<std::unique_ptr<ServiceDiscovery>> discovery = ServiceDiscovery::Bind(options);
  if (!discovery.ok()) {
    console("i2kit-agent: no local name service: " + discovery.status().message());
    return nullptr;
  }
  if (Status s = WriteTextFile(etc + "/resolv.conf",
                               std::string("nameserver ") + pod_vm::kPodDnsAddress + "\n");
      !s.ok()) {
    console("i2kit-agent: " + s.message());
    return nullptr;
  }
  return std::move(discovery).value();
}

// The VM's address (status.podIP): its first IPv4 address that is not loopback, or "".
std::string VmAddress() {
  ifaddrs* list = nullptr;
  if (::getifaddrs(&list) != 0) return "";
  std::string address;
  for (ifaddrs* a = list; a != nullptr && address.empty(); a = a->ifa_next) {
    if (a->ifa_addr == nullptr || a->ifa_addr->sa_family != AF_INET) continue;
    char text[INET_ADDRSTRLEN];
    const auto* in = reinterpret_cast<const sockaddr_in*>(a->ifa_addr);
    if (::inet_ntop(AF_INET, &in->sin_addr, text, sizeof text) == nullptr) continue;
    if (std::string_view(text).starts_with("127.")) continue;
    address = text;
  }
  ::freeifaddrs(list);
  return address;
}

// PID 1's first duty, before anything else can run: a root it can empty and mount on, the
// early filesystems, runc's image at /usr, and Ctrl-Alt-Del as a signal.
Status BecomeInit() {
  // Opened before the initramfs is emptied; mounted once /dev has the loop devices.
  UniqueFd system(::open(pod_vm::kSystemImagePath, O_RDONLY | O_CLOEXEC));
  if (!system.valid()) {
    return Status::Error(std::string("the initrd has no ") + pod_vm::kSystemImagePath + ": " +
                         std::strerror(errno));
  }
  const std::string_view system_path = pod_vm::kSystemImagePath;
  const std::string system_name(system_path.substr(system_path.rfind('/') + 1));
  if (Status s = SwitchToTmpfsRoot({"init", system_name}); !s.ok()) {
    return s.WithContext("switching to a tmpfs root");
  }
  if (Status s = MountEarlyFilesystems(); !s.ok()) return s.WithContext("early mounts");
  if (Status s = MountImageFile(system.get(), pod_vm::kSystemMount); !s.ok()) {
    return s.WithContext(std::string("mounting ") + pod_vm::kSystemImagePath);
  }
  // runc copies its own 9 MB binary into a sealed memfd before every container start, so a
  // container cannot overwrite it (CVE-2019-5736), unless this is set and the binary is on
  // a read-only filesystem — which EROFS always is. Under TCG the copy also costs its
  // translation afresh.
  ::setenv("_LIBCONTAINER_CLONED_BINARY", "1", 1);
  ::reboot(RB_DISABLE_CAD);  // Ctrl-Alt-Del then reaches PID 1 as SIGINT: a clean shutdown
  return Status::Ok();
}

// What the VM gives the Pod beyond its containers' roots. PID 1 sets all of it up
// (PrepareVmAsInit); the agent run as a test process has none of it but the host's resolver.
struct PodVm {
  std::unique_ptr<ServiceDiscovery> discovery;
  std::optional<ContainerNetworkFilter> network_filter;
  std::optional<Ec2ReporterFiles> ec2_reporter;
  std::map<std::string, std::string> persistent;  // volume name → mount point
  std::vector<UniqueFd> power_buttons;
};

// PID 1's preparation of the VM for `pod`, all before any of the Pod is prepared: the network
// and the containers' resolver, the filter on their cgroup, the EC2 reporter's partition and
// the persistent volumes (both mounted while the agent may still mount), the power buttons.
Result<PodVm> PrepareVmAsInit(const Deployment& pod, const std::string& hostname,
                              const std::string& etc, bool by_partition, int health_port,
                              LogLevel log_level,
                              const std::function<void(const std::string&)>& console) {
  PodVm vm;
  if (Status s = ConfigureNetwork(hostname, etc + "/resolv.conf", kFallbackDns); !s.ok()) {
    return s;
  }
  // The VM's own resolver, before the agent's replaces it: the one-shot Secrets fetch on EC2
  // runs before the agent's resolver answers.
  const std::string vm_resolv_conf = ReadTextFile(etc + "/resolv.conf");
  vm.discovery = BindServiceDiscovery(etc, console);
  // Before any container starts, and fatal if it cannot be: a container must never hold the
  // instance role's credentials or read every container's output.
  std::string cgroup = std::string("/sys/fs/cgroup") + kContainersCgroup;
  if (Status s = MakeDirectories(cgroup); !s.ok()) return s;
  Result<ContainerNetworkFilter> filter = ContainerNetworkFilter::Attach(
      cgroup, PodBlockedDestinations(MetadataAddress(), {health_port, pod_vm::kExecPort}));
  if (!filter.ok()) return filter.status();
  vm.network_filter.emplace(std::move(filter).value());

  // The EC2 reporter's partition, before the Secrets, which on EC2 the reporter fetches.
  // Without it the Pod runs as ever: the reporter is the Pod's voice to AWS, not part of
  // serving.
  if (by_partition) {
    Result<std::optional<Ec2ReporterFiles>> mounted =
        MountEc2Partition("/sys/class/block", pod_vm::kEc2Mount);
    if (mounted.ok()) {
      vm.ec2_reporter = *mounted;
      // glibc reads the VM's /etc/resolv.conf, which nothing else writes: the VM's resolver
      // for the Secrets fetch, the containers' once the agent's answers (PreparePod).
      if (vm.ec2_reporter) {
        Status s = WriteTextFile("/etc/resolv.conf", vm_resolv_conf);
        if (!s.ok()) console("i2kit-agent: " + s.message());
      }
    } else {
      console("i2kit-agent: the EC2 reporter will not run: " + mounted.status().message());
    }
  }

  // Fatal if they cannot be mounted: a database must not start on an empty directory in place
  // of its data.
  if (!PersistentVolumes(pod).empty()) {
    PersistentVolumeDisks disks;
    disks.seed_dir = std::string(pod_vm::kSystemMount) + "/" + pod_vm::kVolumeSeedDir;
    // On EC2 the EBS volumes are attached now, through the VM's resolver like the Secrets,
    // waiting while an old instance still holds them; NVMe shows them within seconds after.
    if (vm.ec2_reporter) {
      Result<std::map<std::string, std::string>> serials =
          AttachEc2Volumes(*vm.ec2_reporter, MetadataAddress(), log_level);
      if (!serials.ok()) return serials.status();
      disks.serials = *serials;
      disks.timeout = std::chrono::seconds(60);
    }
    Result<std::map<std::string, std::string>> mounted =
        MountPersistentVolumes(pod, disks, pod_vm::kVolumesMount,
                               [&](const std::string& line) { console("i2kit-agent: " + line); });
    if (!mounted.ok()) return mounted.status();
    vm.persistent = *mounted;
    for (const auto& [name, path] : vm.persistent)
      console("i2kit-agent: volume " + name + " at " + path);
  }
  vm.power_buttons = OpenPowerButtons();
  return vm;
}

// Run as a plain process (the tests): the VM is the host's, and so is the resolver.
Result<PodVm> PodVmAsProcess(const std::string& etc) {
  if (Status s = WriteTextFile(etc + "/resolv.conf", ReadTextFile("/etc/resolv.conf")); !s.ok()) {
    return s;
  }
  return PodVm{};
}

}  // namespace

// Three steps, as the Kata agent's init_agent_as_init: PID 1 prepares the VM (the machine
// first, then, once the log and the Pod spec can be read, what the Pod needs of it); the Pod
// is prepared (its Secrets, volumes, container roots and bundles); then it is supervised.
Status RunAgent(const AgentOptions& options) {
  if (options.pid1) {
    if (Status s = BecomeInit(); !s.ok()) return s;
  }
  // Started once /proc is there to say the level; an error before it is returned to main.
  AsyncConsoleLogOptions log_options;
  log_options.level = ConsoleLevel();
  AsyncConsoleLog log(log_options);
  const auto console = [&log](const std::string& line) { log.Log(LogLevel::kInfo, line); };
  Result<PodSpec> spec = ReadPodSpec(options.pod_spec);
  if (!spec.ok()) return spec.status();
  const Deployment& pod = spec->deployment;
  // The warm-start snapshot point: nothing of the replica's own exists in the guest yet.
  Result<int> learned =
      LearnReplica(options.pid1, MetadataAddress(), ReadTextFile("/proc/cmdline"), console);
  if (!learned.ok()) return learned.status();
  const int replica = *learned;
  const GuestClock identity_learned = ReadGuestClock();
  std::string hostname = pod.name + "-" + std::to_string(replica);
  console("i2kit-agent: pod " + pod.name + " replica " + std::to_string(replica) + ", " +
          std::to_string(pod.containers.size()) + " containers");
  std::string etc = options.run_dir + "/etc";
  if (Status s = WritePodEtc(etc, hostname); !s.ok()) return s;
  const bool by_partition =
      KernelCmdlineValue(ReadTextFile("/proc/cmdline"), pod_vm::kCmdlineRootfs) ==
      pod_vm::kRootfsByPartition;
  Result<PodVm> vm = options.pid1 ? PrepareVmAsInit(pod, hostname, etc, by_partition,
                                                    options.health_port, log_options.level, console)
                                  : PodVmAsProcess(etc);
  if (!vm.ok()) return vm.status();
  const std::optional<Ec2ReporterFiles>& ec2_reporter = vm->ec2_reporter;
  const std::map<std::string, std::string>& persistent = vm->persistent;

  // The Pod's Secrets come now, from the host or Secrets Manager and never from the image
  // (pod_secrets.h): before any container is prepared and while the agent may still connect.
  std::vector<ConfigObject> secrets;
  {
    Result<std::vector<ConfigObject>> fetched =
        ec2_reporter ? FetchPodSecrets(pod,
                                       [&] {
                                         return FetchEc2DeploymentSecrets(
                                             *ec2_reporter, MetadataAddress(), log_options.level);
                                       })
                     : FetchPodSecrets(pod, MetadataAddress());
    if (!fetched.ok()) return fetched.status();
    secrets = std::move(fetched).value();
    // The reporter resolves AWS endpoints the way the containers do from now on.
    if (ec2_reporter) {
      Status s = WriteTextFile("/etc/resolv.conf", ReadTextFile(etc + "/resolv.conf"));
      if (!s.ok()) console("i2kit-agent: " + s.message());
    }
    if (!secrets.empty())
      console("i2kit-agent: " + std::to_string(secrets.size()) + " Secrets received");
  }

  std::set<std::string> given_volumes;
  std::map<std::string, ContainerRootPaths> roots;
  Result<MemoryUsage> memory = ParseMeminfo(ReadTextFile("/proc/meminfo"));
  const int64_t vm_memory = memory.ok() ? memory->total_bytes : 0;
  PodFacts facts;
  facts.name = hostname;
  facts.namespace_name = pod.namespace_name;
  facts.labels = pod.labels;
  facts.pod_ip = VmAddress();
  facts.vm_cpu_millis = static_cast<int64_t>(::sysconf(_SC_NPROCESSORS_ONLN)) * 1000;
  facts.vm_memory_bytes = vm_memory;
  const EnvSources sources{&spec->config_maps, &secrets, &facts, &pod};
  // Made now: the agent cannot mount once confined.
  Result<PodVolumes> volumes =
      MountPodVolumes(options.run_dir + "/volumes", pod, sources, vm_memory);
  if (!volumes.ok()) return volumes.status().WithContext("pod volumes");
  for (const auto& [name, error] : volumes->errors) console("i2kit-agent: " + error);
  volumes.value().paths.insert(persistent.begin(), persistent.end());
  // Containers whose references are missing: they fail to start and back off, the Pod boots.
  std::map<std::string, std::string> refused;
  std::string bundles = options.run_dir + "/bundles";
  // Init containers get their roots and bundles now too: the agent cannot mount once confined.
  std::vector<const Container*> every_container;
  for (const Container& c : pod.containers) every_container.push_back(&c);
  for (const Container& c : pod.init_containers) every_container.push_back(&c);
  for (size_t i = 0; i < every_container.size(); ++i) {
    const Container& c = *every_container[i];
    const ContainerImage& image = spec->images[i];
    std::string device = image.rootfs_device;
    if (by_partition) {
      // 10 s: NVMe namespaces are scanned after /init starts, within a second even under TCG.
      Result<std::string> found = WaitForPartitionByName("/sys/class/block", image.rootfs_partition,
                                                         std::chrono::seconds(10));
      if (!found.ok()) return found.status().WithContext("container " + c.name);
      device = *found;
      console("i2kit-agent: container " + c.name + " root " + device + " (partition " +
              image.rootfs_partition + ")");
    }
    // A read-only root with volumes still gets an overlay, of one page's worth: runc makes the
    // missing mount points in it, then mounts the root read-only (root.readonly).
    const bool read_only_root = c.security_context.read_only_root_filesystem;
    const bool bare_root = read_only_root && c.volume_mounts.empty();
    Result<ContainerRootPaths> root = MountContainerRoot(
        options.run_dir, c.name, device, bare_root,
        read_only_root ? 64 * 1024
                       : WritableLayerBytes(c.resources.limits.memory_bytes, vm_memory));
    if (!root.ok()) return root.status().WithContext("container " + c.name);
    roots[c.name] = *root;
    RuntimeSpecInputs inputs;
    inputs.rootfs = root->rootfs;
    inputs.hostname = hostname;
    inputs.cgroups_path = std::string(kContainersCgroup) + "/" + c.name;
    inputs.resolv_conf = etc + "/resolv.conf";
    inputs.hosts = etc + "/hosts";
    inputs.hostname_file = etc + "/hostname";
    inputs.passwd = image.passwd;
    inputs.group = image.group;
    if (pod.pod_security.fs_group) inputs.pod_groups.push_back(*pod.pod_security.fs_group);
    for (int64_t gid : pod.pod_security.supplemental_groups) inputs.pod_groups.push_back(gid);
    Result<std::vector<ContainerMount>> mounts =
        ContainerVolumeMounts(c, pod, *volumes, options.run_dir + "/subpaths");
    const auto note = [&](const std::string& line) {
      console("i2kit-agent: " + c.name + ": " + line);
    };
    Result<std::vector<EnvVar>> env = ResolveEnvironment(c, sources, note);
    if (!mounts.ok() || !env.ok()) {
      refused[c.name] = (!mounts.ok() ? mounts.status() : env.status()).message();
      continue;
    }
    if (Status s = GiveShortFormatVolumes(pod, c, image.config, image.passwd, image.group,
                                          persistent, given_volumes);
        !s.ok()) {
      return s.WithContext("container " + c.name);
    }
    for (const ContainerMount& m : *mounts) {
      inputs.volume_binds.push_back({m.destination, m.source, m.read_only});
    }
    Container resolved = c;
    resolved.env = std::move(env).value();
    resolved.env_from.clear();
    Result<nlohmann::ordered_json> config = BuildRuntimeSpec(resolved, image.config, inputs);
    if (!config.ok()) return config.status();
    std::string bundle = bundles + "/" + c.name;
    if (Status s = MakeDirectories(bundle); !s.ok()) return s;
    if (Status s = WriteTextFile(bundle + "/config.json", config->dump(2)); !s.ok()) return s;
  }

  // Supervision. PID 1 confines itself first: everything is set up, so from here on nothing
  // the agent starts can gain more than the Pod needs.
  if (options.pid1) {
    Result<SelfConfinementPlan> plan = PlanSelfConfinement(pod);
    if (!plan.ok()) return plan.status().WithContext("confining the agent");
    if (Status s = ApplySelfConfinement(*plan); !s.ok()) {
      return s.WithContext("confining the agent");
    }
    console("i2kit-agent: " + Summary(*plan));
  }
  // Its thread inherits the confinement just applied (capabilities and seccomp are per thread).
  if (vm->discovery) vm->discovery->Start();

  RuncRuntime runtime(options.runc, options.run_dir + "/runc", bundles, roots);
  for (const auto& [name, reason] : refused) runtime.RefuseStart(name, reason);
  SupervisorOptions supervision;
  supervision.health_port = options.health_port;
  supervision.earlier_marks.push_back({pod_vm::kPhaseBootIdentity, identity_learned});
  supervision.console = [&log](LogLevel level, const std::string& line) { log.Log(level, line); };
  for (const UniqueFd& b : vm->power_buttons) supervision.power_buttons.push_back(b.get());
  if (ec2_reporter) {
    supervision.auxiliaries.push_back(Ec2ReporterProcess(*ec2_reporter, options.health_port,
                                                         MetadataAddress(), log_options.level));
  }
  // Exec is served where the host can hold the key: under `run`, whose metadata service has it.
  if (options.pid1 && MetadataAddress() == pod_vm::kLocalMetadataAddress) {
    supervision.auxiliaries.push_back(
        ExecServerProcess(options.runc, options.run_dir + "/runc", MetadataAddress()));
  }
  Supervisor supervisor(pod, replica, runtime, supervision);
  Status result = supervisor.Run();
  for (const auto& [name, root] : roots) {
    if (Status s = UnmountContainerRoot(root); !s.ok()) console("i2kit-agent: " + s.message());
  }
  return result;
}

}  // namespace i2kit
