#include "image-builder/pod_vm_build.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "common/config_references.h"
#include "common/kernel_cmdline.h"
#include "common/pod_spec.h"
#include "common/pod_vm.h"
#include "common/sys_error.h"
#include "common/text_file.h"
#include "image-builder/boot_disk.h"
#include "image-builder/build_key.h"
#include "image-builder/containerd_image_source.h"
#include "image-builder/disk_layout.h"
#include "image-builder/docker_archive.h"
#include "image-builder/erofs_image.h"
#include "image-builder/initrd.h"
#include "image-builder/layer_flattener.h"
#include "image-builder/oci_image_layout.h"
#include "image-builder/root_directory.h"
#include "image-builder/run_tool.h"
#include "image-builder/sha256.h"
#include "image-builder/volume_seed_build.h"

namespace i2kit {
namespace {

namespace fs = std::filesystem;

// The build's own temporary directory, removed however the build ends.
struct ScratchDir {
  fs::path path;
  ~ScratchDir() {
    std::error_code ec;
    if (!path.empty()) fs::remove_all(path, ec);
  }
};

// Reads etc/NAME of a flattened root without following a symlink (the image is untrusted).
std::string ReadEtcFile(const fs::path& root, const std::string& name) {
  Result<RootDirectory> dir = RootDirectory::Open(root);
  if (!dir.ok()) return {};
  Result<UniqueFd> etc = dir->OpenDirectory("etc", RootDirectory::Missing::kReturnInvalid);
  if (!etc.ok() || !etc->valid()) return {};
  UniqueFd fd(::openat(etc->get(), name.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
  if (!fd.valid()) return {};
  std::string text;
  char buffer[8192];
  ssize_t n;
  while ((n = ::read(fd.get(), buffer, sizeof buffer)) > 0 && text.size() < (1 << 20)) {
    text.append(buffer, static_cast<size_t>(n));
  }
  return text;
}

// The agent bind-mounts the Pod's /etc/hostname, /etc/hosts and /etc/resolv.conf over these;
// on a read-only root runc cannot create a missing mount target, so empty ones are added.
Status AddMountTargets(const fs::path& root) {
  Result<RootDirectory> dir = RootDirectory::Open(root);
  if (!dir.ok()) return dir.status();
  Result<UniqueFd> etc = dir->OpenDirectory("etc", RootDirectory::Missing::kCreate);
  if (!etc.ok()) return etc.status().WithContext("creating /etc in the image");
  for (const char* name : {"hostname", "hosts", "resolv.conf"}) {
    UniqueFd fd(
        ::openat(etc->get(), name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644));
    if (!fd.valid() && errno != EEXIST) {
      return SysError("openat", std::string("etc/") + name)
          .WithContext("creating the image's /etc");
    }
  }
  return Status::Ok();
}

Result<ResolvedImage> ResolveImage(const Container& c, const fs::path& blob_dir,
                                   const PodVmBuildOptions& options) {
  switch (c.image.transport) {
    case ImageTransport::kOciLayout:
      return ReadOciImageLayout(c.image.path, c.image.tag);
    case ImageTransport::kDockerArchive:
      return ReadDockerArchive(c.image.path, "", blob_dir);
    case ImageTransport::kRegistry:
      break;
  }
  ContainerdOptions containerd;
  containerd.address = options.containerd;
  containerd.pull = c.pull_policy;
  containerd.hosts_dir = options.registry_hosts;
  return ReadContainerdImage(c.image, containerd, blob_dir);
}

// Lays out runc and the libraries it loads as a merged /usr under `root` (bin/runc,
// lib/x86_64-linux-gnu/…, lib64/ld-linux-x86-64.so.2) and packs it as the Pod VM's system
// image, mounted at /usr by the agent.
Status PackSystemImage(const std::string& runc, const std::map<std::string, std::string>& seeds,
                       const fs::path& root, const fs::path& image) {
  std::error_code ec;
  fs::remove_all(root, ec);
  fs::create_directories(root / "bin", ec);
  if (ec) return Status::Error("cannot create " + root.string() + ": " + ec.message());
  // The volumes' seeds, compressed with the rest: 10 GiB's 4.3 MB of mostly zero blocks.
  for (const auto& [volume, seed] : seeds) {
    fs::path path = root / pod_vm::kVolumeSeedDir / volume;
    fs::create_directories(path.parent_path(), ec);
    if (ec) return Status::Error("cannot create " + path.parent_path().string());
    if (Status s = WriteTextFile(path.string(), seed); !s.ok()) return s;
  }
  Result<std::vector<std::string>> libraries = SharedLibrariesOf(runc);
  if (!libraries.ok()) return libraries.status();
  std::vector<std::pair<std::string, fs::path>> files = {{runc, root / "bin" / "runc"}};
  for (const std::string& library : *libraries) {
    // "/usr/lib/…" and "/lib/…" name the same file on a merged-/usr system.
    std::string relative = library.substr(library.rfind("/usr/", 0) == 0 ? 5 : 1);
    files.emplace_back(library, root / relative);
  }
  for (const auto& [source, target] : files) {
    // Through symlinks to the real file, kept at the path the loader asks for.
    fs::path real = fs::canonical(source, ec);
    if (!ec) fs::create_directories(target.parent_path(), ec);
    if (!ec) fs::copy_file(real, target, fs::copy_options::overwrite_existing, ec);
    if (!ec) fs::permissions(target, fs::perms(0755), ec);
    if (ec)
      return Status::Error("copying " + source + " to " + target.string() + ": " + ec.message());
  }
  ErofsOptions erofs;
  erofs.all_root = true;
  return PackErofs(root, image, erofs);
}

// The EC2 partition's content: the reporter and the CA bundle, at the paths the agent expects.
Status PackEc2Image(const PodVmBuildOptions& options, const fs::path& root, const fs::path& image) {
  // A bundle without a certificate would surface only on EC2, as every AWS call refused.
  Result<std::string> bundle = ReadFileText(options.ca_bundle);
  if (!bundle.ok()) return bundle.status().WithContext("the CA bundle");
  if (bundle->find("-----BEGIN CERTIFICATE-----") == std::string::npos) {
    return Status::Error("the CA bundle " + options.ca_bundle +
                         " holds no PEM certificate (-----BEGIN CERTIFICATE-----)");
  }
  std::error_code ec;
  fs::remove_all(root, ec);
  for (const auto& [source, relative, mode] :
       {std::tuple{options.ec2_reporter, pod_vm::kEc2ReporterBinary, fs::perms(0755)},
        std::tuple{options.ca_bundle, pod_vm::kEc2CaBundle, fs::perms(0644)}}) {
    fs::path target = root / relative;
    fs::create_directories(target.parent_path(), ec);
    if (!ec) fs::copy_file(fs::canonical(source, ec), target, ec);
    if (!ec) fs::permissions(target, mode, ec);
    if (ec)
      return Status::Error("copying " + source + " to " + target.string() + ": " + ec.message());
  }
  ErofsOptions erofs;
  erofs.all_root = true;
  return PackErofs(root, image, erofs);
}

// The build helpers' lookup: NAME beside the running i2kit-host, else an error naming OPTION.
Result<std::string> BesideHost(const std::string& name, const std::string& what,
                               const std::string& option) {
  std::error_code ec;
  fs::path self = fs::read_symlink("/proc/self/exe", ec);
  fs::path file = self.parent_path() / name;
  if (ec || !fs::exists(file)) {
    return Status::Error(what + " " + name + " is not beside i2kit-host (" + file.string() +
                         "); pass " + option + " PATH");
  }
  return file.string();
}

// What vm.json says of the deployment beside its image: its name, replicas, rollout rules,
// labels and volumes, which may change with no new image.
void SetDeploymentFields(const Deployment& deployment, const std::vector<ServicePlan>& services,
                         VmArtifacts& artifacts) {
  artifacts.deployment = deployment.name;
  artifacts.replicas = deployment.replicas;
  artifacts.termination_grace_period_seconds = deployment.termination_grace_period_seconds;
  artifacts.recreate = deployment.strategy.type == StrategyType::kRecreate;
  RolloutCounts counts = ResolveRollout(deployment.strategy, deployment.replicas);
  artifacts.max_surge = counts.max_surge;
  artifacts.max_unavailable = counts.max_unavailable;
  artifacts.progress_deadline_seconds = deployment.progress_deadline_seconds;
  artifacts.volumes.clear();
  for (const Volume* v : PersistentVolumes(deployment)) {
    artifacts.volumes.push_back({v->name, v->size_bytes});
  }
  artifacts.labels = deployment.labels;
  artifacts.services = services;
}

}  // namespace

Result<VmArtifacts> BuildPodVm(const Deployment& deployment, const PodVmBuildOptions& options,
                               bool* reused) {
  auto progress = [&](const std::string& line) {
    if (options.progress) options.progress(line);
  };
  auto warning = [&](const std::string& line) {
    if (options.warning) options.warning(line);
  };
  if (reused) *reused = false;
  fs::path final_dir = fs::path(options.output_dir) / deployment.name;
  progress("checking the build's inputs");
  Result<std::optional<std::string>> key = BuildKeyFor(deployment, options);
  if (!key.ok()) return key.status();
  if (key->has_value()) {
    if (std::optional<VmArtifacts> built = ReusableBuild(final_dir.string(), **key)) {
      // The same image; the rollout rules, which are no part of it, are the manifest's now.
      VmArtifacts now = *built;
      SetDeploymentFields(deployment, options.services, now);
      // The kernel cache may have been rebuilt or moved since: the same bzImage's vmlinux now.
      Result<DirectKernel> direct = DirectKernelBeside(options.kernel);
      if (!direct.ok()) return direct.status();
      now.direct_kernel = *direct;
      if (!(now == *built)) {
        if (Status s = WriteVmArtifacts(final_dir.string(), now); !s.ok()) return s;
      }
      if (reused) *reused = true;
      return now;
    }
  }
  ScratchDir staging{fs::path(options.output_dir) / ("." + deployment.name + ".building")};
  ScratchDir scratch{staging.path.string() + "-work"};
  std::error_code ec;
  fs::remove_all(staging.path, ec);
  fs::remove_all(scratch.path, ec);
  fs::create_directories(staging.path, ec);
  fs::create_directories(scratch.path, ec);
  if (ec) return Status::Error("cannot create " + staging.path.string() + ": " + ec.message());

  VmArtifacts artifacts;
  SetDeploymentFields(deployment, options.services, artifacts);
  // The image is the Pod's, not the rollout's: scaling or a new maxSurge must not give a new
  // image digest, or the controller would replace every replica for it (Kubernetes does not).
  PodSpec spec = ImageSpecOf(deployment, options.config_maps);
  int64_t limits_bytes = 0;
  int64_t largest_init_bytes = 0;  // init containers run one at a time, before the others
  // The app containers' roots first, then the init containers': the pod spec's image order,
  // and so the order of the drives (/dev/vdX) and of the boot disk's partitions. Each gets its
  // own EROFS image, even when two containers name the same image (not deduplicated yet).
  std::vector<const Container*> every_container;
  for (const Container& c : deployment.containers) every_container.push_back(&c);
  for (const Container& c : deployment.init_containers) every_container.push_back(&c);
  for (size_t i = 0; i < every_container.size(); ++i) {
    const Container& c = *every_container[i];
    const bool plain_init = i >= deployment.containers.size() && !c.restart_always;
    fs::path blobs = scratch.path / ("blobs-" + c.name);
    fs::path root = scratch.path / ("root-" + c.name);
    fs::create_directories(blobs, ec);
    fs::create_directories(root, ec);
    progress("getting " + c.name + ": " + c.image.Canonical());
    Result<ResolvedImage> image = ResolveImage(c, blobs, options);
    if (!image.ok()) return image.status().WithContext("container " + c.name);
    progress("flattening " + c.name + ": " + c.image.Canonical() + ", " +
             std::to_string(image->layers.size()) + " layers");
    Result<FlattenSummary> flat = FlattenLayers(image->layers, root);
    if (!flat.ok()) return flat.status().WithContext("container " + c.name);
    for (const FlattenNote& note : flat->skipped) {
      warning(c.name + ": skipped " + note.entry + ": " + note.reason);
    }
    if (Status s = AddMountTargets(root); !s.ok()) return s.WithContext("container " + c.name);
    std::string disk = "rootfs-" + c.name + ".erofs";
    progress("packing " + c.name + " as " + disk);
    ErofsOptions erofs;
    erofs.all_root = ::geteuid() != 0;  // without root the flattened files are ours, not 0:0
    if (Status s = PackErofs(root, staging.path / disk, erofs); !s.ok()) {
      return s.WithContext("container " + c.name);
    }
    artifacts.disks.push_back(disk);
    ContainerImage entry;
    entry.config = image->config;
    entry.rootfs_device = "/dev/vd" + std::string(1, static_cast<char>('a' + i));
    Result<std::string> partition = RootfsPartitionName(c.name);
    if (!partition.ok()) return partition.status().WithContext("container " + c.name);
    entry.rootfs_partition = *partition;
    entry.passwd = ReadEtcFile(root, "passwd");
    entry.group = ReadEtcFile(root, "group");
    entry.digest = image->manifest_digest.empty() ? image->config_digest : image->manifest_digest;
    spec.images.push_back(std::move(entry));
    if (!plain_init) {
      for (const ContainerPort& p : c.ports)
        artifacts.ports.push_back({p.container_port, p.protocol});
    }
    // As Kubernetes sizes a Pod: app containers and sidecars run together, an init container
    // alone (beside the sidecars started before it).
    if (plain_init) {
      largest_init_bytes =
          std::max(largest_init_bytes, c.resources.limits.memory_bytes.value_or(0));
    } else {
      limits_bytes += c.resources.limits.memory_bytes.value_or(0);
    }
    fs::remove_all(root, ec);
  }

  std::map<std::string, std::string> seeds;
  for (const Volume* v : PersistentVolumes(deployment)) {
    progress("formatting volume " + v->name + " (its seed, written on a blank disk)");
    Result<VolumeSeed> seed = MakeVolumeSeed(deployment.name, v->name,
                                             static_cast<uint64_t>(v->size_bytes), scratch.path);
    if (!seed.ok()) return seed.status();
    seeds[v->name] = EncodeVolumeSeed(*seed);
  }
  progress("writing the initrd: agent, runc, pod spec");
  fs::path system_image = scratch.path / "system.erofs";
  if (Status s = PackSystemImage(options.runc, seeds, scratch.path / "system", system_image);
      !s.ok()) {
    return s.WithContext("packing runc and its libraries");
  }
  InitrdBuilder initrd;
  initrd.AddFile("/init", options.agent, 0755);
  initrd.AddFile(pod_vm::kSystemImagePath, system_image.string(), 0644);
  initrd.AddData(pod_vm::kPodSpecPath, ToJson(spec).dump(2) + "\n");
  initrd.AddCharDevice("/dev/console", 5, 1, 0600);
  for (const char* dir : {"/proc", "/sys", "/run", "/tmp", "/newroot", pod_vm::kSystemMount}) {
    initrd.AddDirectory(dir);
  }
  // A merged /usr, as Debian lays it out: the loader and libraries are found at the paths
  // runc was linked against (/lib64/ld-linux-x86-64.so.2, /lib/x86_64-linux-gnu/…).
  for (const char* dir : {"bin", "lib", "lib64"}) {
    initrd.AddSymlink(std::string("/") + dir, std::string("usr/") + dir);
  }
  if (Status s = initrd.Write((staging.path / artifacts.initrd).string()); !s.ok()) return s;
  fs::copy_file(options.kernel, staging.path / artifacts.kernel,
                fs::copy_options::overwrite_existing, ec);
  if (ec) return Status::Error("copying the kernel " + options.kernel + ": " + ec.message());
  Result<DirectKernel> direct = DirectKernelBeside(options.kernel);
  if (!direct.ok()) return direct.status();
  artifacts.direct_kernel = *direct;

  // 64 MiB serves a small Pod; larger limits get what they ask for plus the agent's share.
  constexpr int64_t kMiB = 1 << 20;
  limits_bytes = std::max(limits_bytes, largest_init_bytes);
  artifacts.memory_mib =
      static_cast<int>(std::max<int64_t>(64, 48 + (limits_bytes + kMiB - 1) / kMiB));
  artifacts.cmdline = pod_vm::DirectBootCmdline();
  progress("packing the EC2 reporter");
  const fs::path ec2_image = scratch.path / "ec2.erofs";
  if (Status s = PackEc2Image(options, scratch.path / "ec2", ec2_image); !s.ok()) {
    return s.WithContext("packing the EC2 reporter");
  }
  // The digest names everything the Pod VM is made of: an AMI is reused for it (push), and a
  // local deployment rolls its replicas when it changes.
  Sha256 all;
  for (const fs::path& file : [&] {
         std::vector<fs::path> files = {staging.path / artifacts.kernel,
                                        staging.path / artifacts.initrd};
         for (const std::string& disk : artifacts.disks) files.push_back(staging.path / disk);
         files.push_back(ec2_image);
         return files;
       }()) {
    Result<std::string> digest = Sha256OfFile(file.string());
    if (!digest.ok()) return digest.status();
    all.Update(digest->data(), digest->size());
  }
  Result<std::string> digest = all.Finish();
  if (!digest.ok()) return digest.status();
  artifacts.image_digest = *digest;

  // The same Pod as one bootable disk, the way EC2 boots it: its network comes from DHCP (on
  // EC2 the VPC's, locally QEMU's), and the roots are partitions of that disk, found by name.
  artifacts.boot_disk = "disk.raw";
  // It is the AMI, so it carries what Nitro needs (common/kernel_cmdline.h).
  artifacts.boot_cmdline = pod_vm::BootDiskCmdline();
  progress("writing the bootable disk " + artifacts.boot_disk);
  BootDiskInput disk;
  disk.kernel = staging.path / artifacts.kernel;
  disk.initrd = staging.path / artifacts.initrd;
  disk.cmdline = artifacts.boot_cmdline;
  for (size_t i = 0; i < artifacts.disks.size(); ++i) {
    disk.images.push_back({spec.images[i].rootfs_partition, staging.path / artifacts.disks[i]});
  }
  disk.images.push_back({pod_vm::kEc2PartitionName, ec2_image});
  disk.seed = artifacts.image_digest;
  // FAT's epoch, the earliest time it can store: the disk's files carry no build time.
  disk.timestamp = 315532800;
  disk.scratch = scratch.path;
  if (Result<DiskLayout> layout = WriteBootDisk(disk, staging.path / artifacts.boot_disk);
      !layout.ok()) {
    return layout.status().WithContext("writing " + artifacts.boot_disk);
  }
  // An image containerd lacked had no address before the build pulled it: it has one now.
  if (!key->has_value()) {
    key = BuildKeyFor(deployment, options);
    if (!key.ok()) return key.status();
  }
  artifacts.build_key = key->value_or("");
  if (Status s = WriteVmArtifacts(staging.path.string(), artifacts); !s.ok()) return s;
  fs::remove_all(final_dir, ec);
  fs::rename(staging.path, final_dir, ec);
  if (ec) return Status::Error("moving the build into " + final_dir.string() + ": " + ec.message());
  staging.path.clear();
  return artifacts;
}

Result<DirectKernel> DirectKernelBeside(const std::string& kernel) {
  fs::path bzimage = fs::absolute(kernel).lexically_normal();
  fs::path vmlinux = bzimage.parent_path() / "vmlinux";
  std::error_code ec;
  if (bzimage.filename() != "bzImage" || !fs::is_regular_file(vmlinux, ec)) return DirectKernel{};
  Result<std::string> digest = Sha256OfFile(vmlinux.string());
  if (!digest.ok()) return digest.status();
  Result<std::string> kernel_digest = Sha256OfFile(bzimage.string());
  if (!kernel_digest.ok()) return kernel_digest.status();
  return DirectKernel{vmlinux.string(), *digest, *kernel_digest};
}

Result<std::string> DefaultKernel(const std::function<void(const std::string&)>& progress) {
  if (const char* env = std::getenv("I2KIT_KERNEL"); env && *env) return std::string(env);
  fs::path script = fs::path(I2KIT_SOURCE_DIR) / "scripts" / "build-kernel.sh";
  if (!fs::exists(script)) {
    return Status::Error("no kernel: pass --kernel PATH or set I2KIT_KERNEL");
  }
  // The script is silent on stdout while it builds: say so before the minutes it takes.
  Result<ToolOutput> cached = RunTool({script.string(), "--print-path"});
  std::error_code ec;
  if (progress && cached.ok() && !fs::exists(cached->out.substr(0, cached->out.find('\n')), ec)) {
    progress("building the kernel once (~4 min; scripts/build-kernel.sh, cached after)");
  }
  Result<ToolOutput> out = RunTool({script.string()});
  if (!out.ok()) return out.status().WithContext("building the kernel (scripts/build-kernel.sh)");
  std::string path = out->out.substr(0, out->out.find('\n'));
  if (path.empty()) return Status::Error("scripts/build-kernel.sh printed no kernel path");
  return path;
}

Result<std::string> DefaultAgent() {
  return BesideHost("i2kit-agent", "the guest agent", "--agent");
}

Result<std::string> DefaultEc2Reporter() {
  return BesideHost("i2kit-ec2-reporter", "the EC2 reporter", "--ec2-reporter");
}

}  // namespace i2kit
